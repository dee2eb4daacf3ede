namespace Tracker.Web.Features.Runs.Filtering;

public enum FilterTokenKind
{
    /// <summary>A bare word: a field, a keyword (AND, OR, NOT), a number or a value such as vit-nano or val/acc.</summary>
    Word,
    /// <summary>A quoted value, quotes removed.</summary>
    String,
    Operator,
    LeftParenthesis,
    RightParenthesis,
    End,
}

/// <summary>One token and the column (from 1) where it starts.</summary>
public readonly record struct FilterToken(FilterTokenKind Kind, string Text, int Column)
{
    public bool IsKeyword(string keyword) => Kind == FilterTokenKind.Word && string.Equals(Text, keyword, StringComparison.OrdinalIgnoreCase);

    /// <summary>How an error message names what it found.</summary>
    public string Describe() => Kind switch
    {
        FilterTokenKind.End => "the end of the query",
        FilterTokenKind.String => $"\"{Text}\"",
        _ => $"'{Text}'",
    };
}

/// <summary>Splits a filter query into tokens. Strings take "double" or 'single' quotes, with \ escaping the next character.</summary>
public static class FilterTokenizer
{
    private const string Special = "()=!<>~\"'";

    public static IReadOnlyList<FilterToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<FilterToken>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            var column = i + 1;
            if (char.IsWhiteSpace(c))
            {
                i++;
            }
            else if (c == '(')
            {
                tokens.Add(new(FilterTokenKind.LeftParenthesis, "(", column));
                i++;
            }
            else if (c == ')')
            {
                tokens.Add(new(FilterTokenKind.RightParenthesis, ")", column));
                i++;
            }
            else if (c is '"' or '\'')
            {
                i = ReadString(text, i, tokens);
            }
            else if (c is '=' or '!' or '<' or '>' or '~')
            {
                var two = i + 1 < text.Length ? text.Substring(i, 2) : null;
                if (two is "!=" or "<=" or ">=" or "==")
                {
                    tokens.Add(new(FilterTokenKind.Operator, two == "==" ? "=" : two, column));
                    i += 2;
                }
                else if (c == '!')
                {
                    throw new FilterException($"Unexpected '!' at column {column}; write != for 'not equal' or NOT before a condition.", column);
                }
                else
                {
                    tokens.Add(new(FilterTokenKind.Operator, c.ToString(), column));
                    i++;
                }
            }
            else
            {
                var start = i;
                while (i < text.Length && !char.IsWhiteSpace(text[i]) && !Special.Contains(text[i], StringComparison.Ordinal)) i++;
                tokens.Add(new(FilterTokenKind.Word, text[start..i], column));
            }
        }
        tokens.Add(new(FilterTokenKind.End, "", text.Length + 1));
        return tokens;
    }

    private static int ReadString(string text, int start, List<FilterToken> tokens)
    {
        var quote = text[start];
        var value = new System.Text.StringBuilder();
        var i = start + 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '\\' && i + 1 < text.Length)
            {
                value.Append(text[i + 1]);
                i += 2;
            }
            else if (c == quote)
            {
                tokens.Add(new(FilterTokenKind.String, value.ToString(), start + 1));
                return i + 1;
            }
            else
            {
                value.Append(c);
                i++;
            }
        }
        throw new FilterException($"The string that starts at column {start + 1} has no closing {quote}.", start + 1);
    }
}
