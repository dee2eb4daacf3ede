using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using Tracker.Shared;
using Tracker.Web.Security;

namespace Tracker.Web.Extensions;

/// <summary>
/// The one place that shapes /openapi/v1.json beyond what each endpoint declares next to itself (its summary,
/// parameters, bodies and the problems it answers): how numbers are written, how callers sign in, and the answers
/// that authorization and the /api middleware give to every endpoint (docs/decisions/0045).
/// </summary>
public static class OpenApiExtensions
{
    /// <summary>Security scheme names in the document.</summary>
    public const string BearerScheme = "bearerToken";
    public const string CookieScheme = "sessionCookie";

    public static IServiceCollection AddTrackerOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options =>
        {
            options.AddSchemaTransformer<NumberSchemas>();
            options.AddSchemaTransformer<NullableIsOptional>();
            options.AddOperationTransformer<AccessResponses>();
            options.AddOperationTransformer<HeadWithoutBodies>();
        });

    /// <summary>
    /// Declares CSV text (<paramref name="description"/>: its columns) as the endpoint's 200, beside the JSON its result
    /// type declares, if any: <c>Produces</c> for a second content type of one status would replace the first.
    /// </summary>
    public static TBuilder ProducesCsv<TBuilder>(this TBuilder builder, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.ProducesContent(Features.Runs.MetricsEndpoints.CsvContentType, description);

    /// <summary>
    /// Declares a 200 body of <paramref name="contentType"/> that is not JSON (CSV, a file's bytes), as a string schema
    /// described by <paramref name="description"/>, beside any JSON the result type declares.
    /// </summary>
    public static TBuilder ProducesContent<TBuilder>(this TBuilder builder, string contentType, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, context, _) =>
        {
            operation.Responses ??= [];
            const string ok = "200";
            if (operation.Responses.GetValueOrDefault(ok) is not OpenApiResponse response)
                operation.Responses[ok] = response = new OpenApiResponse { Description = ReasonPhrases.GetReasonPhrase(StatusCodes.Status200OK) };
            // Endpoint transformers run after HeadWithoutBodies: a HEAD answer stays without content.
            if (HttpMethods.IsHead(context.Description.HttpMethod ?? "")) return Task.CompletedTask;
            response.Content ??= new Dictionary<string, OpenApiMediaType>();
            response.Content[contentType] = new OpenApiMediaType { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = description } };
            return Task.CompletedTask;
        });

    /// <summary>Declares a request body of any content type taken as raw bytes (an uploaded file), described by <paramref name="description"/>.</summary>
    public static TBuilder AcceptsBytes<TBuilder>(this TBuilder builder, string description) where TBuilder : IEndpointConventionBuilder =>
        builder.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true, Description = description,
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/octet-stream"] = new() { Schema = new OpenApiSchema { Type = JsonSchemaType.String, Description = description } },
                },
            };
            return Task.CompletedTask;
        });
}

/// <summary>A HEAD answer has the GET answer's status and headers but never its body.</summary>
internal sealed class HeadWithoutBodies : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (HttpMethods.IsHead(context.Description.HttpMethod ?? "") && operation.Responses is { } responses)
            foreach (var response in responses.Values.OfType<OpenApiResponse>()) response.Content = null;
        return Task.CompletedTask;
    }
}

/// <summary>
/// Numbers are numbers. System.Text.Json's exporter describes a double under AllowNamedFloatingPointLiterals as
/// "number or one of NaN/Infinity/-Infinity", which the generator turns into <c>"type":"object","anyOf":[...]</c>:
/// no number satisfies that, and a nullable double loses its null. Every float or double becomes
/// <c>"type":"number"</c> (or <c>["number","null"]</c>); only values marked <see cref="NonFiniteNumberAttribute"/>,
/// which the API really sends as those strings, become a <c>oneOf</c> of a number and an enum of the strings.
/// </summary>
internal sealed class NumberSchemas : IOpenApiSchemaTransformer
{
    private const string NonFiniteDescription =
        "A number; NaN, Infinity and -Infinity (the values of a diverging run) are sent as these strings.";

    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var nonFinite = context.JsonPropertyInfo?.AttributeProvider?.IsDefined(typeof(NonFiniteNumberAttribute), inherit: true) == true;
        if (FloatingPoint(type) is { } number)
        {
            // Only the exporter's broken shape is rewritten, so a schema this already wrote (by its dictionary) stays.
            if (IsNamedLiteralUnion(schema)) Rewrite(schema, nullable: Nullable.GetUnderlyingType(type) is not null, nonFinite, number);
        }
        else if (nonFinite && context.JsonTypeInfo.ElementType is { } valueType && FloatingPoint(valueType) is { } value
            && schema.AdditionalProperties is OpenApiSchema values)
        {
            // A dictionary of metric values: each value may be one of the strings.
            Rewrite(values, nullable: Nullable.GetUnderlyingType(valueType) is not null, nonFinite: true, value);
        }
        return Task.CompletedTask;
    }

    private static string? FloatingPoint(Type type) =>
        (Nullable.GetUnderlyingType(type) ?? type) switch
        {
            var t when t == typeof(double) => "double",
            var t when t == typeof(float) => "float",
            var t when t == typeof(Half) => "float",
            _ => null,
        };

    private static bool IsNamedLiteralUnion(OpenApiSchema schema) =>
        schema.AnyOf is { Count: > 0 } options
        && options.Any(option => option.Enum?.Any(value => value?.GetValueKind() == System.Text.Json.JsonValueKind.String
            && NonFiniteNumberAttribute.Literals.Contains(value.GetValue<string>())) == true);

    private static void Rewrite(OpenApiSchema schema, bool nullable, bool nonFinite, string format)
    {
        schema.AnyOf = null;
        schema.Enum = null;
        if (!nonFinite)
        {
            schema.Type = nullable ? JsonSchemaType.Number | JsonSchemaType.Null : JsonSchemaType.Number;
            schema.Format = format;
            return;
        }
        schema.Type = null;
        schema.Format = null;
        schema.OneOf =
        [
            new OpenApiSchema { Type = JsonSchemaType.Number, Format = format },
            new OpenApiSchema
            {
                Type = JsonSchemaType.String,
                Enum = NonFiniteNumberAttribute.Literals.Select(literal => (JsonNode)JsonValue.Create(literal)).ToList(),
            },
        ];
        if (nullable) schema.OneOf.Add(new OpenApiSchema { Type = JsonSchemaType.Null });
        schema.Description = string.IsNullOrEmpty(schema.Description) ? NonFiniteDescription : $"{schema.Description} {NonFiniteDescription}";
    }
}

/// <summary>
/// A property that may be null need not be sent. The generator lists every constructor parameter of a record as
/// required, so a request body such as <c>{"name":"ci","scope":"read"}</c> would fail for lack of an optional
/// <c>expiresInDays</c>, though the API reads it as null. Answers still always carry such properties, as null.
/// </summary>
internal sealed class NullableIsOptional : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Required is not { Count: > 0 } required || context.JsonTypeInfo.Kind != System.Text.Json.Serialization.Metadata.JsonTypeInfoKind.Object)
            return Task.CompletedTask;
        foreach (var property in context.JsonTypeInfo.Properties)
        {
            var nullable = property.PropertyType.IsValueType
                ? Nullable.GetUnderlyingType(property.PropertyType) is not null
                : property.IsGetNullable || property.IsSetNullable;
            if (nullable) required.Remove(property.Name);
        }
        return Task.CompletedTask;
    }
}

/// <summary>
/// How each operation is signed into and what authorization answers: an endpoint that names a policy lists the bearer
/// token and the session cookie, and answers 401 (no or a bad token), 403 (a role or token scope below the policy, or a
/// cookie-signed request from another site) and 429 (too many bad tokens from one address); an open one (a share link,
/// whose token is in its path) lists no security. Under /api a failing database is 503 or 507, whatever the endpoint.
/// </summary>
internal sealed class AccessResponses : IOpenApiOperationTransformer
{
    private const string ProblemContentType = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var document = context.Document ?? throw new InvalidOperationException("The operation transformer runs without its document.");
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var problem = await ProblemSchemaAsync(document, context, cancellationToken);
        operation.Responses ??= [];

        if (metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
        }
        else
        {
            AddSecuritySchemes(document);
            operation.Security =
            [
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiExtensions.BearerScheme, document)] = [] },
                new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiExtensions.CookieScheme, document)] = [] },
            ];
            var policies = metadata.OfType<IAuthorizeData>().Select(data => data.Policy).OfType<string>().Distinct().ToList();
            Add(operation, StatusCodes.Status401Unauthorized, problem,
                "No token, or one that is unknown, expired or revoked (or its owner is disabled), and no session.");
            Add(operation, StatusCodes.Status403Forbidden, problem,
                $"The caller's role or token scope does not allow this (policy: {string.Join(", ", policies)}), or a request signed "
                + "in by the session cookie came from another site.");
            Add(operation, StatusCodes.Status429TooManyRequests, problem,
                "This address sent too many unknown tokens; wait for the Retry-After seconds.");
        }
        if (context.Description.RelativePath?.StartsWith(ApiExtensions.ApiPrefix.TrimStart('/') + "/", StringComparison.Ordinal) == true)
        {
            Add(operation, StatusCodes.Status503ServiceUnavailable, problem, "The database is unavailable; try again after Retry-After seconds.");
            Add(operation, StatusCodes.Status507InsufficientStorage, problem, "The database has no space left.");
        }
    }

    /// <summary>Adds the answer when the endpoint declares none for the status; an endpoint's own (a 403 for someone else's run) gains the sentence.</summary>
    private static void Add(OpenApiOperation operation, int status, IOpenApiSchema problem, string description)
    {
        var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (operation.Responses!.TryGetValue(key, out var existing) && existing is OpenApiResponse declared)
        {
            declared.Description = string.Equals(declared.Description, ReasonPhrases.GetReasonPhrase(status), StringComparison.Ordinal)
                ? $"As the operation's description says, or: {char.ToLowerInvariant(description[0])}{description[1..]}"
                : $"{declared.Description} {description}";
            return;
        }
        operation.Responses[key] = new OpenApiResponse
        {
            Description = description,
            Content = new Dictionary<string, OpenApiMediaType> { [ProblemContentType] = new() { Schema = problem } },
        };
    }

    /// <summary>A reference to the ProblemDetails component, made here when no endpoint's own problem made it.</summary>
    private static async Task<IOpenApiSchema> ProblemSchemaAsync(OpenApiDocument document, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        const string name = nameof(ProblemDetails);
        if (document.Components?.Schemas?.ContainsKey(name) != true)
            document.AddComponent(name, await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken));
        return new OpenApiSchemaReference(name, document);
    }

    private static void AddSecuritySchemes(OpenApiDocument document)
    {
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        if (document.Components.SecuritySchemes.ContainsKey(OpenApiExtensions.BearerScheme)) return;
        document.AddComponent<IOpenApiSecurityScheme>(OpenApiExtensions.BearerScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            Description = "A personal API token (POST /api/tokens, or the account page), sent as Authorization: Bearer <token>. "
                + "Scopes: read (GET), write (every change the owner's role allows), worker (training workers only).",
        });
        document.AddComponent<IOpenApiSecurityScheme>(OpenApiExtensions.CookieScheme, new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.ApiKey,
            In = ParameterLocation.Cookie,
            Name = SecurityExtensions.SessionCookie,
            Description = "The browser's session after signing in; accepted only on requests from the app's own pages.",
        });
    }
}
