using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;

namespace Tracker.Web.IntegrationTests.Api;

/// <summary>
/// The app's OpenAPI document as JSON Schema 2020-12 (what OpenAPI 3.1 uses), to check real answers and bodies against
/// the schema an operation declares, with JsonSchema.Net (decision 0045).
/// </summary>
public sealed class OpenApiSchemas
{
    private const string ComponentRef = "#/components/schemas/";
    private readonly Uri documentUri = new($"https://tracker.test/{Guid.NewGuid():N}/openapi.json");
    private readonly BuildOptions buildOptions;

    public OpenApiSchemas(string documentJson)
    {
        Document = JsonNode.Parse(documentJson)!.AsObject();
        var registry = new SchemaRegistry();
        registry.Register(new JsonElementBaseDocument(JsonDocument.Parse(documentJson).RootElement.Clone(), documentUri));
        // OpenAPI 3.1's dialect is 2020-12 plus annotations (discriminator, example, xml, externalDocs): kept as such.
        buildOptions = new BuildOptions { SchemaRegistry = registry, Dialect = Dialect.Draft202012.With([], allowUnknownKeywords: true) };
    }

    public JsonObject Document { get; }

    /// <summary>Every operation: its path, lower-case method and object.</summary>
    public IEnumerable<(string Path, string Method, JsonObject Operation)> Operations =>
        Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Select(op => (path.Key, op.Key, op.Value!.AsObject())));

    public (string Path, string Method, JsonObject Operation) OperationNamed(string operationId, string method) =>
        Operations.Single(op => op.Operation["operationId"]?.GetValue<string>() == operationId && op.Method == method);

    /// <summary>Why <paramref name="instance"/> does not satisfy <paramref name="schema"/> (a schema object of the document); empty when it does.</summary>
    public IReadOnlyList<string> Check(JsonNode schema, JsonElement instance)
    {
        // The schema's references point into the document: made absolute, they resolve against the registered copy.
        var text = schema.ToJsonString().Replace($"\"{ComponentRef}", $"\"{documentUri}{ComponentRef}", StringComparison.Ordinal);
        var wrapped = $$"""{"allOf":[{{text}}]}""";
        var built = JsonSchema.FromText(wrapped, buildOptions, new Uri($"https://tracker.test/{Guid.NewGuid():N}/check.json"));
        return Errors(built.Evaluate(instance, new EvaluationOptions { OutputFormat = OutputFormat.List }));
    }

    /// <summary>Why <paramref name="schema"/> is not a valid JSON Schema 2020-12; empty when it is.</summary>
    public static IReadOnlyList<string> CheckIsJsonSchema(JsonNode schema) =>
        Errors(MetaSchemas.Draft202012.Evaluate(JsonDocument.Parse(schema.ToJsonString()).RootElement,
            new EvaluationOptions { OutputFormat = OutputFormat.List }));

    private static List<string> Errors(EvaluationResults results) =>
        results.IsValid
            ? []
            : (results.Details ?? [results]).Where(detail => detail.Errors is { Count: > 0 })
                .SelectMany(detail => detail.Errors!.Select(error => $"{detail.InstanceLocation} ({detail.EvaluationPath}): {error.Value}"))
                .DefaultIfEmpty("invalid, without details").ToList();
}
