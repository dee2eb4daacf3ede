using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Tracker.Shared;

namespace Tracker.Web.Extensions;

/// <summary>
/// Reads a JSON request body of at most a given size, for the endpoints that check their bodies themselves (script
/// runs, workers): a body too large is a 413, and one that is empty, null or not the expected JSON a 400 naming
/// <c>what</c> was expected, with System.Text.Json's path to the bad value.
/// </summary>
public static class JsonBody
{
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadAsync<T>(HttpRequest request, long limit, string what,
        JsonSerializerOptions options, CancellationToken cancellationToken, bool allowEmpty = false) where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentLength > limit) return (null, TooLarge(limit));
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        // Sized from the header when it is sent: growing by doubling copied a script's megabyte batch four times over.
        using var buffer = new MemoryStream(request.ContentLength is { } length and > 0 ? (int)length : 0);
        try
        {
            await request.Body.CopyToAsync(buffer, cancellationToken);
        }
        catch (BadHttpRequestException ex)
        {
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge ? TooLarge(limit)
                : TypedResults.Problem(title: "The body could not be read.", detail: ex.Message, statusCode: ex.StatusCode));
        }
        var bytes = buffer.GetBuffer().AsMemory(0, (int)buffer.Length);
        if (bytes.Span.Trim(" \r\n\t"u8).IsEmpty)
            return allowEmpty ? (null, null) : (null, BadBody(what, $"Invalid {what}: the body is empty."));
        try
        {
            var body = JsonSerializer.Deserialize<T>(bytes.Span, options);
            return body is null ? (null, BadBody(what, $"Invalid {what}: expected a JSON object, found null.")) : (body, null);
        }
        catch (JsonException ex)
        {
            return (null, BadBody(what, TrackerJson.Describe(ex, what)));
        }
        catch (NotSupportedException)
        {
            // System.Text.Json cannot build an abstract type from an object without its discriminator (an event without "type").
            return (null, BadBody(what, $"Invalid {what}: every event needs its \"type\"."));
        }
    }

    /// <summary>413 for a body over <paramref name="limit"/> bytes.</summary>
    public static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(title: "The body is too large.", detail: $"This server takes at most {limit} bytes here.", statusCode: StatusCodes.Status413PayloadTooLarge);

    private static ProblemHttpResult BadBody(string what, string detail) =>
        TypedResults.Problem(title: $"The {what} is not valid.", detail: detail, statusCode: StatusCodes.Status400BadRequest);
}
