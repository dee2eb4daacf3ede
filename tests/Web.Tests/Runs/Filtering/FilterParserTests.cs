using Tracker.Web.Features.Runs.Filtering;

namespace Tracker.Web.Tests.Runs.Filtering;

public class FilterParserTests
{
    [Theory]
    [InlineData("model = vit-nano", "model = vit-nano")]
    [InlineData("a = 1 OR b = 2 AND c = 3", "(a = 1 OR (b = 2 AND c = 3))")]
    [InlineData("a = 1 AND b = 2 OR c = 3", "((a = 1 AND b = 2) OR c = 3)")]
    [InlineData("NOT a = 1 AND b = 2", "((NOT a = 1) AND b = 2)")]
    [InlineData("NOT NOT a = 1", "(NOT (NOT a = 1))")]
    [InlineData("a = 1 AND (b = 2 OR c = 3)", "(a = 1 AND (b = 2 OR c = 3))")]
    [InlineData("NOT (a = 1 OR b = 2)", "(NOT (a = 1 OR b = 2))")]
    [InlineData("a = 1 OR b = 2 OR c = 3", "((a = 1 OR b = 2) OR c = 3)")]
    [InlineData("a=1 and b!=2 or not c~x", "((a = 1 AND b != 2) OR (NOT c ~ x))")]
    [InlineData("lr<=1e-3 AND seed>=0 AND epochs<10 AND l2>0.5", "(((lr <= 1e-3 AND seed >= 0) AND epochs < 10) AND l2 > 0.5)")]
    public void Parse_GroupsByPrecedence_NotThenAndThenOr(string query, string grouped)
    {
        Assert.Equal(grouped, FilterParser.Parse(query)!.ToString());
    }

    [Fact]
    public void Parse_TheIssueExample_KeepsQuotedValuesAndMetricKeys()
    {
        var node = FilterParser.Parse("model = vit-nano AND (method = \"early dropout\" OR method = \"early s.d.\") AND val/acc > 80");

        Assert.Equal("((model = vit-nano AND (method = \"early dropout\" OR method = \"early s.d.\")) AND val/acc > 80)", node!.ToString());
        var and = Assert.IsType<AndNode>(node);
        var accuracy = Assert.IsType<ComparisonNode>(and.Right);
        Assert.Equal(("val/acc", null, ComparisonOperator.Greater, "80"), (accuracy.Field.Name, accuracy.Field.Aggregate, accuracy.Operator, accuracy.Value.Text));
        Assert.Equal(78, accuracy.Column);
    }

    [Fact]
    public void Parse_AggregatesAndSingleQuotesAndEscapes()
    {
        var node = FilterParser.Parse("max(val/acc) >= 75 OR MIN(val/loss) < 0.5 OR name = 'it\\'s' OR name = \"say \\\"hi\\\"\"");

        Assert.Equal("(((max(val/acc) >= 75 OR min(val/loss) < 0.5) OR name = \"it's\") OR name = \"say \\\"hi\\\"\")", node!.ToString());
    }

    [Fact]
    public void Parse_KeywordsIgnoreCase_ButAQuotedKeywordIsAValue()
    {
        var node = FilterParser.Parse("name = \"and\" aNd tag = \"NOT\"");

        var and = Assert.IsType<AndNode>(node);
        Assert.Equal("and", Assert.IsType<ComparisonNode>(and.Left).Value.Text);
        Assert.True(Assert.IsType<ComparisonNode>(and.Right).Value.Quoted);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData(null)]
    public void Parse_BlankQuery_IsNoFilter(string? query)
    {
        Assert.Null(FilterParser.Parse(query));
    }

    [Theory]
    [InlineData("model = ", "Expected a value after '=' (quote it if it has spaces or is a keyword) at column 9, found the end of the query.", 9)]
    [InlineData("model vit", "Expected an operator (=, !=, <, <=, >, >= or ~) after model at column 7, found 'vit'.", 7)]
    [InlineData("(model = mlp", "Expected ')' to close the '(' of column 1 at column 13, found the end of the query.", 13)]
    [InlineData("model = mlp)", "Unmatched ')' at column 12.", 12)]
    [InlineData("model = mlp seed = 1", "Expected AND, OR or the end of the query at column 13, found 'seed'.", 13)]
    [InlineData("model = mlp AND", "Expected a field name such as model, lr or val/acc at column 16, found the end of the query.", 16)]
    [InlineData("AND model = mlp", "Expected a field name such as model, lr or val/acc at column 1, found 'AND'.", 1)]
    [InlineData("name = \"open", "The string that starts at column 8 has no closing \".", 8)]
    [InlineData("seed ! 3", "Unexpected '!' at column 6; write != for 'not equal' or NOT before a condition.", 6)]
    [InlineData("model = OR", "Expected a value after '=' (quote it if it has spaces or is a keyword) at column 9, found 'OR'.", 9)]
    [InlineData("avg(val/acc) > 3", "Unknown function 'avg' at column 1; use min(...), max(...) or last(...) around a metric key.", 1)]
    [InlineData("max(val/acc > 3", "Expected ')' after max(val/acc at column 13, found '>'.", 13)]
    [InlineData("()", "Expected a field name such as model, lr or val/acc at column 2, found ')'.", 2)]
    public void Parse_BadSyntax_SaysWhatWasExpectedAndWhere(string query, string message, int column)
    {
        var error = Assert.Throws<FilterException>(() => FilterParser.Parse(query));

        Assert.Equal(message, error.Message);
        Assert.Equal(column, error.Column);
    }

    [Fact]
    public void Tokenize_BareWordsKeepDashesDotsAndSlashes_AndStopAtOperators()
    {
        var tokens = FilterTokenizer.Tokenize("dropout.rate>=0.1 AND val/acc~x-y");

        Assert.Equal(
            ["dropout.rate", ">=", "0.1", "AND", "val/acc", "~", "x-y", ""],
            tokens.Select(t => t.Text));
        Assert.Equal([1, 13, 15, 19, 23, 30, 31, 34], tokens.Select(t => t.Column));
    }
}
