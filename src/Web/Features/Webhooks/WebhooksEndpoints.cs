using Microsoft.AspNetCore.Http.HttpResults;

namespace Tracker.Web.Features.Webhooks;

/// <summary>/api/projects/{name}/webhooks: a project's webhooks.</summary>
public static class WebhooksEndpoints
{
    public static RouteGroupBuilder MapWebhooks(this RouteGroupBuilder api)
    {
        var webhooks = api.MapGroup("/projects/{name}/webhooks").WithTags("Webhooks");
        webhooks.MapPost("/", CreateAsync).WithName("CreateWebhook")
            .WithSummary("Add a webhook to a project")
            .WithDescription("Body: {url, events: [finished|failed|diverged], secret (optional, 16-200 characters)}. When one of the "
                + "project's runs ends with a chosen event, the URL gets a POST of the run as JSON, signed in the "
                + "X-Tracker-Signature-256 header (sha256= and the hex HMAC-SHA256 of the body keyed with the secret), retried with "
                + "exponential backoff. 201 with the webhook and its secret, shown only in this answer; 400 naming the field.");
        webhooks.MapGet("/", ListAsync).WithName("ListWebhooks")
            .WithSummary("A project's webhooks")
            .WithDescription("Without their secrets. 404 for an unknown project.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        webhooks.MapDelete("/{id:long}", DeleteAsync).WithName("DeleteWebhook")
            .WithSummary("Delete a webhook")
            .WithDescription("Removes the webhook and its delivery records. 204, or 404 when the project has no such webhook.")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return api;
    }

    private static async Task<Results<Created<CreatedWebhook>, ValidationProblem>> CreateAsync(
        string name, WebhookRequest request, Webhooks webhooks, CancellationToken cancellationToken)
    {
        var result = await webhooks.CreateAsync(name, request, cancellationToken);
        if (result.Webhook is null)
            return TypedResults.ValidationProblem(result.Errors.GroupBy(e => e.Field).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray()),
                title: "The webhook has invalid fields.");
        return TypedResults.Created($"/api/projects/{Uri.EscapeDataString(name)}/webhooks/{result.Webhook.Id}", result.Webhook);
    }

    private static async Task<Results<Ok<IReadOnlyList<WebhookItem>>, ProblemHttpResult>> ListAsync(string name, Webhooks webhooks, CancellationToken cancellationToken) =>
        await webhooks.ListAsync(name, cancellationToken) is { } list
            ? TypedResults.Ok(list)
            : TypedResults.Problem(title: "No such project.", detail: $"There is no project '{name}'.", statusCode: StatusCodes.Status404NotFound);

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string name, long id, Webhooks webhooks, CancellationToken cancellationToken) =>
        await webhooks.DeleteAsync(name, id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(title: "No such webhook.", detail: $"Project '{name}' has no webhook {id}.", statusCode: StatusCodes.Status404NotFound);
}
