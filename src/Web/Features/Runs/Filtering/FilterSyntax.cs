namespace Tracker.Web.Features.Runs.Filtering;

/// <summary>
/// A parsed /runs filter. Columns count characters of the query from 1, so an error can point at the place.
/// <see cref="ToString"/> writes the tree fully parenthesised, which shows how the parser grouped the query.
/// </summary>
public abstract record FilterNode(int Column);

public sealed record AndNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Column)
{
    public override string ToString() => $"({Left} AND {Right})";
}

public sealed record OrNode(FilterNode Left, FilterNode Right) : FilterNode(Left.Column)
{
    public override string ToString() => $"({Left} OR {Right})";
}

public sealed record NotNode(FilterNode Operand, int Column) : FilterNode(Column)
{
    public override string ToString() => $"(NOT {Operand})";
}

/// <summary><c>field op value</c>, e.g. <c>model = vit-nano</c> or <c>max(val/acc) &gt;= 80</c>.</summary>
public sealed record ComparisonNode(FieldReference Field, ComparisonOperator Operator, FilterValue Value) : FilterNode(Field.Column)
{
    public override string ToString() => $"{Field} {FilterSyntax.Symbol(Operator)} {Value}";
}

/// <summary>A field as written: a name, or a metric key inside min(), max() or last().</summary>
public sealed record FieldReference(string Name, MetricAggregate? Aggregate, int Column)
{
    public override string ToString() => Aggregate is { } aggregate ? $"{aggregate.ToString().ToLowerInvariant()}({Name})" : Name;
}

/// <summary>A value as written; <see cref="Quoted"/> values are never keywords.</summary>
public sealed record FilterValue(string Text, bool Quoted, int Column)
{
    public override string ToString() => Quoted ? $"\"{Text.Replace("\"", "\\\"", StringComparison.Ordinal)}\"" : Text;
}

public enum ComparisonOperator
{
    Equal,
    NotEqual,
    Less,
    LessOrEqual,
    Greater,
    GreaterOrEqual,
    /// <summary><c>~</c>: the text contains the value, ignoring case.</summary>
    Contains,
}

/// <summary>Which of a metric's <see cref="Data.RunSummary"/> values a comparison reads.</summary>
public enum MetricAggregate
{
    Last,
    Min,
    Max,
}

public static class FilterSyntax
{
    public static string Symbol(ComparisonOperator op) => op switch
    {
        ComparisonOperator.Equal => "=",
        ComparisonOperator.NotEqual => "!=",
        ComparisonOperator.Less => "<",
        ComparisonOperator.LessOrEqual => "<=",
        ComparisonOperator.Greater => ">",
        ComparisonOperator.GreaterOrEqual => ">=",
        ComparisonOperator.Contains => "~",
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };
}

/// <summary>Why a query was refused, as one sentence that names the <see cref="Column"/> (from 1) it points at.</summary>
public sealed record FilterError(string Message, int Column);

/// <summary>Thrown by the parser and the compiler; <see cref="RunFilter.TryCompile"/> turns it into a <see cref="FilterError"/>.</summary>
public sealed class FilterException(string message, int column) : Exception(message)
{
    public int Column { get; } = column;

    public FilterError ToError() => new(Message, Column);
}
