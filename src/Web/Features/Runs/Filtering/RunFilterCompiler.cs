using System.Globalization;
using System.Linq.Expressions;
using System.Reflection;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Runs.Filtering;

/// <summary>
/// Turns a <see cref="FilterNode"/> into a predicate EF Core translates to SQL. Every value of the query reaches the
/// expression as a member of a <see cref="FilterParameter{T}"/> object, never as a constant, so EF sends it as a command
/// parameter exactly as it does a captured C# variable: query text can never become SQL text.
/// </summary>
public static class RunFilterCompiler
{
    private static readonly MethodInfo StringContains = typeof(string).GetMethod(nameof(string.Contains), [typeof(string)])!;
    private static readonly MethodInfo StringToLower = typeof(string).GetMethod(nameof(string.ToLower), Type.EmptyTypes)!;
    private static readonly MethodInfo ListContains = typeof(List<string>).GetMethod(nameof(List<string>.Contains), [typeof(string)])!;
    private static readonly MethodInfo EnumerableAnyString = AnyOf<string>();
    private static readonly MethodInfo EnumerableAnySummary = AnyOf<RunSummary>();

    /// <summary>Throws <see cref="FilterException"/> for an unknown field, an operator a field does not take, or a value of the wrong kind.</summary>
    public static Expression<Func<Run, bool>> Compile(FilterNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        var run = Expression.Parameter(typeof(Run), "run");
        return Expression.Lambda<Func<Run, bool>>(Build(node, run), run);
    }

    /// <summary>The fields and metric forms a query may use, for error messages and the help under the search box.</summary>
    public static string KnownFields =>
        string.Join(", ", RunFilterFields.All.Select(f => f.Name)) + "; and any metric key such as val/acc, max(val/acc), min(val/loss)";

    private static Expression Build(FilterNode node, ParameterExpression run) => node switch
    {
        AndNode and => Expression.AndAlso(Build(and.Left, run), Build(and.Right, run)),
        OrNode or => Expression.OrElse(Build(or.Left, run), Build(or.Right, run)),
        NotNode not => Expression.Not(Build(not.Operand, run)),
        ComparisonNode comparison => Comparison(comparison, run),
        _ => throw new ArgumentOutOfRangeException(nameof(node), node, null),
    };

    private static Expression Comparison(ComparisonNode comparison, ParameterExpression run)
    {
        var (field, op, value) = (comparison.Field, comparison.Operator, comparison.Value);
        if (field.Aggregate is not null || RunFilterFields.IsMetricKey(field.Name)) return Metric(comparison, run);

        var known = RunFilterFields.Find(field.Name)
            ?? throw new FilterException($"Unknown field '{field.Name}' at column {field.Column}. Known fields: {KnownFields}.", field.Column);
        var column = Bind(known.Column, run);
        return known.Kind switch
        {
            FilterFieldKind.Text => Text(known, column, op, value, comparison),
            FilterFieldKind.Choice => Choice(known, column, op, value, comparison),
            FilterFieldKind.Status => Status(known, column, op, value, comparison),
            FilterFieldKind.Tag => Tag(column, op, value),
            FilterFieldKind.Number when op == ComparisonOperator.Contains => throw WrongOperator(known, comparison, "=, !=, <, <=, > or >="),
            FilterFieldKind.Number => Compare(ToNullableDouble(column), op, Parameter<double?>(Number(known.Name, value))),
            _ => throw new ArgumentOutOfRangeException(nameof(comparison), known.Kind, null),
        };
    }

    private static Expression Text(RunFilterField field, Expression column, ComparisonOperator op, FilterValue value, ComparisonNode at) => op switch
    {
        ComparisonOperator.Equal => Expression.Equal(column, Parameter(value.Text)),
        ComparisonOperator.NotEqual => Expression.NotEqual(column, Parameter(value.Text)),
        ComparisonOperator.Contains => ContainsIgnoringCase(column, value.Text),
        _ => throw WrongOperator(field, at, "=, != or ~"),
    };

    private static Expression Choice(RunFilterField field, Expression column, ComparisonOperator op, FilterValue value, ComparisonNode at)
    {
        if (op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual)) throw WrongOperator(field, at, "= or !=");
        var choice = field.Choices!.FirstOrDefault(c => string.Equals(c, value.Text, StringComparison.OrdinalIgnoreCase))
            ?? throw new FilterException(
                $"'{value.Text}' at column {value.Column} is not a {field.Name}; use one of {string.Join(", ", field.Choices!)}.", value.Column);
        var parameter = Parameter(choice);
        return op == ComparisonOperator.Equal ? Expression.Equal(column, parameter) : Expression.NotEqual(column, parameter);
    }

    private static Expression Status(RunFilterField field, Expression column, ComparisonOperator op, FilterValue value, ComparisonNode at)
    {
        if (op is not (ComparisonOperator.Equal or ComparisonOperator.NotEqual)) throw WrongOperator(field, at, "= or !=");
        if (!Enum.TryParse<RunStatus>(value.Text, ignoreCase: true, out var status) || !Enum.IsDefined(status) || int.TryParse(value.Text, out _))
            throw new FilterException(
                $"'{value.Text}' at column {value.Column} is not a status; use one of {string.Join(", ", field.Choices!)}.", value.Column);
        var parameter = Parameter(status);
        return op == ComparisonOperator.Equal ? Expression.Equal(column, parameter) : Expression.NotEqual(column, parameter);
    }

    private static Expression Tag(Expression tags, ComparisonOperator op, FilterValue value)
    {
        var has = Expression.Call(tags, ListContains, Parameter(value.Text));
        switch (op)
        {
            case ComparisonOperator.Equal:
                return has;
            case ComparisonOperator.NotEqual:
                return Expression.Not(has);
            case ComparisonOperator.Contains:
                var tag = Expression.Parameter(typeof(string), "tag");
                return Expression.Call(EnumerableAnyString, tags, Expression.Lambda<Func<string, bool>>(ContainsIgnoringCase(tag, value.Text), tag));
            default:
                throw new FilterException($"'{FilterSyntax.Symbol(op)}' does not apply to tag at column {value.Column}; use =, != or ~.", value.Column);
        }
    }

    /// <summary>
    /// A comparison with a <see cref="RunSummary"/> value of the run: the last value unless min() or max() says otherwise.
    /// A run that never recorded the key matches no comparison on it (and so matches its NOT).
    /// Accuracies are stored as percentages (the trainer writes 100 * correct / seen), so val/acc &gt; 80 reads as 80 %;
    /// a trailing % is accepted and ignored.
    /// </summary>
    private static Expression Metric(ComparisonNode comparison, ParameterExpression run)
    {
        var (field, op, value) = (comparison.Field, comparison.Operator, comparison.Value);
        if (!RunFilterFields.IsMetricKey(field.Name))
            throw new FilterException(
                $"{field.Aggregate.ToString()!.ToLowerInvariant()}() at column {field.Column} takes a metric key such as val/acc, not '{field.Name}'.", field.Column);
        if (op == ComparisonOperator.Contains)
            throw new FilterException($"'~' does not apply to the metric {field} at column {comparison.Column}; compare it with =, !=, <, <=, > or >=.", comparison.Column);
        var text = value.Text.EndsWith('%') ? value.Text[..^1] : value.Text;
        var number = Number(field.ToString(), value with { Text = text });

        var summary = Expression.Parameter(typeof(RunSummary), "summary");
        var stored = Expression.Property(summary, field.Aggregate switch
        {
            MetricAggregate.Min => nameof(RunSummary.Min),
            MetricAggregate.Max => nameof(RunSummary.Max),
            _ => nameof(RunSummary.Last),
        });
        var matches = Expression.AndAlso(
            Expression.Equal(Expression.Property(summary, nameof(RunSummary.Key)), Parameter(field.Name)),
            Compare(stored, op, Parameter(number)));
        return Expression.Call(EnumerableAnySummary, Expression.Property(run, nameof(Run.Summaries)),
            Expression.Lambda<Func<RunSummary, bool>>(matches, summary));
    }

    private static Expression Compare(Expression left, ComparisonOperator op, Expression right) => op switch
    {
        ComparisonOperator.Equal => Expression.Equal(left, right),
        ComparisonOperator.NotEqual => Expression.NotEqual(left, right),
        ComparisonOperator.Less => Expression.LessThan(left, right),
        ComparisonOperator.LessOrEqual => Expression.LessThanOrEqual(left, right),
        ComparisonOperator.Greater => Expression.GreaterThan(left, right),
        ComparisonOperator.GreaterOrEqual => Expression.GreaterThanOrEqual(left, right),
        _ => throw new ArgumentOutOfRangeException(nameof(op), op, null),
    };

    private static double Number(string field, FilterValue value) =>
        double.TryParse(value.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number)
            ? number
            : throw new FilterException($"{field} compares with a number; '{value.Text}' at column {value.Column} is not one.", value.Column);

    private static Expression ContainsIgnoringCase(Expression text, string value) =>
        Expression.Call(Expression.Call(text, StringToLower), StringContains, Parameter(value.ToLowerInvariant()));

    private static Expression ToNullableDouble(Expression column) =>
        column.Type == typeof(double?) ? column : Expression.Convert(column, typeof(double?));

    private static FilterException WrongOperator(RunFilterField field, ComparisonNode at, string allowed) =>
        new($"'{FilterSyntax.Symbol(at.Operator)}' does not apply to {field.Name} at column {at.Column}; use {allowed}.", at.Column);

    /// <summary>The value as a member of an object, which EF sends as a parameter (a constant would be inlined into the SQL).</summary>
    private static MemberExpression Parameter<T>(T value) =>
        Expression.Property(Expression.Constant(new FilterParameter<T>(value)), nameof(FilterParameter<T>.Value));

    /// <summary>The body of <paramref name="column"/> with its parameter replaced by <paramref name="run"/>.</summary>
    private static Expression Bind(LambdaExpression column, ParameterExpression run) =>
        new ReplaceParameter(column.Parameters[0], run).Visit(column.Body);

    private static MethodInfo AnyOf<T>() =>
        typeof(Enumerable).GetMethods().Single(m => m.Name == nameof(Enumerable.Any) && m.GetParameters().Length == 2).MakeGenericMethod(typeof(T));

    private sealed class ReplaceParameter(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}

/// <summary>Holds one value of a query; see <see cref="RunFilterCompiler"/> for why it is not a constant.</summary>
public sealed class FilterParameter<T>(T value)
{
    public T Value { get; } = value;
}
