namespace Tracker.Web.Features.Runs.Filtering;

/// <summary>
/// Recursive descent over <see cref="FilterTokenizer"/>'s tokens. Keywords ignore case; NOT binds tighter than AND,
/// AND tighter than OR; parentheses group.
/// <code>
/// query      := or END
/// or         := and ("OR" and)*
/// and        := not ("AND" not)*
/// not        := "NOT" not | primary
/// primary    := "(" or ")" | comparison
/// comparison := field operator value
/// field      := word | ("min" | "max" | "last") "(" word ")"
/// operator   := "=" | "!=" | "&lt;" | "&lt;=" | "&gt;" | "&gt;=" | "~"
/// value      := word | string
/// </code>
/// </summary>
public sealed class FilterParser
{
    private const string Operators = "=, !=, <, <=, >, >= or ~";
    private static readonly string[] Keywords = ["AND", "OR", "NOT"];

    private readonly IReadOnlyList<FilterToken> _tokens;
    private int _next;

    private FilterParser(IReadOnlyList<FilterToken> tokens) => _tokens = tokens;

    /// <summary>The tree of <paramref name="text"/>; null when it is blank. Throws <see cref="FilterException"/> on a syntax error.</summary>
    public static FilterNode? Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var parser = new FilterParser(FilterTokenizer.Tokenize(text));
        var node = parser.ParseOr();
        var rest = parser.Peek;
        if (rest.Kind == FilterTokenKind.RightParenthesis)
            throw new FilterException($"Unmatched ')' at column {rest.Column}.", rest.Column);
        if (rest.Kind != FilterTokenKind.End)
            throw Expected("AND, OR or the end of the query", rest);
        return node;
    }

    private FilterToken Peek => _tokens[_next];

    private FilterToken Take() => _tokens[_next++];

    private FilterNode ParseOr()
    {
        var left = ParseAnd();
        while (Peek.IsKeyword("OR"))
        {
            Take();
            left = new OrNode(left, ParseAnd());
        }
        return left;
    }

    private FilterNode ParseAnd()
    {
        var left = ParseNot();
        while (Peek.IsKeyword("AND"))
        {
            Take();
            left = new AndNode(left, ParseNot());
        }
        return left;
    }

    private FilterNode ParseNot()
    {
        if (!Peek.IsKeyword("NOT")) return ParsePrimary();
        var not = Take();
        return new NotNode(ParseNot(), not.Column);
    }

    private FilterNode ParsePrimary()
    {
        if (Peek.Kind != FilterTokenKind.LeftParenthesis) return ParseComparison();
        var open = Take();
        var inner = ParseOr();
        if (Peek.Kind != FilterTokenKind.RightParenthesis)
            throw Expected($"')' to close the '(' of column {open.Column}", Peek);
        Take();
        return inner;
    }

    private ComparisonNode ParseComparison()
    {
        var field = ParseField();
        var op = Peek;
        if (op.Kind != FilterTokenKind.Operator) throw Expected($"an operator ({Operators}) after {field}", op);
        Take();
        var value = Peek;
        if (value.Kind == FilterTokenKind.String || (value.Kind == FilterTokenKind.Word && !IsKeyword(value)))
        {
            Take();
            return new ComparisonNode(field, OperatorOf(op.Text), new FilterValue(value.Text, value.Kind == FilterTokenKind.String, value.Column));
        }
        throw Expected($"a value after '{op.Text}' (quote it if it has spaces or is a keyword)", value);
    }

    private FieldReference ParseField()
    {
        var name = Peek;
        if (name.Kind != FilterTokenKind.Word || IsKeyword(name))
            throw Expected("a field name such as model, lr or val/acc", name);
        Take();
        if (Peek.Kind != FilterTokenKind.LeftParenthesis) return new FieldReference(name.Text, null, name.Column);

        if (!Enum.TryParse<MetricAggregate>(name.Text, ignoreCase: true, out var aggregate) || !Enum.IsDefined(aggregate))
            throw new FilterException($"Unknown function '{name.Text}' at column {name.Column}; use min(...), max(...) or last(...) around a metric key.", name.Column);
        Take();
        var key = Peek;
        if (key.Kind != FilterTokenKind.Word || IsKeyword(key)) throw Expected($"a metric key such as val/acc inside {name.Text}(...)", key);
        Take();
        if (Peek.Kind != FilterTokenKind.RightParenthesis) throw Expected($"')' after {name.Text}({key.Text}", Peek);
        Take();
        return new FieldReference(key.Text, aggregate, name.Column);
    }

    private static bool IsKeyword(FilterToken token) => Keywords.Any(token.IsKeyword);

    private static ComparisonOperator OperatorOf(string symbol) => symbol switch
    {
        "=" => ComparisonOperator.Equal,
        "!=" => ComparisonOperator.NotEqual,
        "<" => ComparisonOperator.Less,
        "<=" => ComparisonOperator.LessOrEqual,
        ">" => ComparisonOperator.Greater,
        ">=" => ComparisonOperator.GreaterOrEqual,
        "~" => ComparisonOperator.Contains,
        _ => throw new ArgumentOutOfRangeException(nameof(symbol), symbol, null),
    };

    private static FilterException Expected(string what, FilterToken found) =>
        new($"Expected {what} at column {found.Column}, found {found.Describe()}.", found.Column);
}
