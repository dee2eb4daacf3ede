using Microsoft.EntityFrameworkCore;
using Tracker.Shared;
using Tracker.Web.Data;

namespace Tracker.Web.Features.Webhooks;

/// <summary>What <see cref="Webhooks.CreateAsync"/> did: the new hook with its secret, or the field errors (nothing stored then).</summary>
public sealed record WebhookCreation(CreatedWebhook? Webhook, IReadOnlyList<FieldError> Errors);

/// <summary>A project's webhooks: create (validated), list, delete, and a run's deliveries. Used by the API and the page.</summary>
public sealed class Webhooks(IDbContextFactory<TrackerDbContext> contexts, TimeProvider time)
{
    public const int MaxSecretLength = 200;

    public static IReadOnlyList<FieldError> Validate(WebhookRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var errors = new List<FieldError>();
        if (!Uri.TryCreate(request.Url, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
            errors.Add(new FieldError("url", "Give the absolute http or https URL the tracker should POST to."));
        if (request.Events is not { Count: > 0 })
            errors.Add(new FieldError("events", $"Pick at least one event: {string.Join(", ", WebhookEvents.All)}."));
        else
            foreach (var unknown in request.Events.Where(e => !WebhookEvents.All.Contains(e)).Distinct())
                errors.Add(new FieldError("events", $"Unknown event '{unknown}'. Use {string.Join(", ", WebhookEvents.All)}."));
        if (request.Secret is { } secret && (secret.Length < 16 || secret.Length > MaxSecretLength))
            errors.Add(new FieldError("secret", $"A secret needs 16 to {MaxSecretLength} characters; leave it out to get a random one."));
        return errors;
    }

    /// <summary>Stores a webhook for <paramref name="projectName"/> (making the project when it has no runs yet).</summary>
    public async Task<WebhookCreation> CreateAsync(string projectName, WebhookRequest request, CancellationToken cancellationToken = default)
    {
        var errors = Validate(request).ToList();
        if (string.IsNullOrWhiteSpace(projectName) || projectName.Length > RunConfigValidator.MaxNameLength)
            errors.Add(new FieldError("name", $"A project name has 1 to {RunConfigValidator.MaxNameLength} characters."));
        if (errors.Count > 0) return new WebhookCreation(null, errors);

        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var project = await context.Projects.FirstOrDefaultAsync(p => p.Name == projectName, cancellationToken)
            ?? context.Projects.Add(new Project { Name = projectName, CreatedAt = now }).Entity;
        var webhook = new Webhook
        {
            Project = project,
            Url = request.Url!,
            Secret = request.Secret ?? WebhookSignature.NewSecret(),
            Events = WebhookEvents.All.Where(request.Events!.Contains).ToList(),
            CreatedAt = now,
        };
        context.Webhooks.Add(webhook);
        await context.SaveChangesAsync(cancellationToken);
        return new WebhookCreation(new CreatedWebhook(webhook.Id, projectName, webhook.Url, webhook.Events, webhook.CreatedAt, webhook.Secret), []);
    }

    /// <summary>The project's webhooks, oldest first; null when there is no such project.</summary>
    public async Task<IReadOnlyList<WebhookItem>?> ListAsync(string projectName, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        if (!await context.Projects.AnyAsync(p => p.Name == projectName, cancellationToken)) return null;
        var rows = await context.Webhooks.AsNoTracking().Where(w => w.Project!.Name == projectName).OrderBy(w => w.Id)
            .Select(w => new { w.Id, w.Url, w.Events, w.CreatedAt }).ToListAsync(cancellationToken);
        return rows.Select(w => new WebhookItem(w.Id, projectName, w.Url, w.Events, w.CreatedAt)).ToList();
    }

    /// <summary>Deletes the webhook and its delivery records. False when the project has no such webhook.</summary>
    public async Task<bool> DeleteAsync(string projectName, long id, CancellationToken cancellationToken = default)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        var webhook = await context.Webhooks.FirstOrDefaultAsync(w => w.Id == id && w.Project!.Name == projectName, cancellationToken);
        if (webhook is null) return false;
        context.Webhooks.Remove(webhook);
        await context.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Every delivery of the run's ending, in the order they were made.</summary>
    public static async Task<IReadOnlyList<WebhookDeliveryItem>> DeliveriesOfAsync(TrackerDbContext context, long runId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        return await context.WebhookDeliveries.AsNoTracking().Where(d => d.RunId == runId).OrderBy(d => d.Id)
            .Select(d => new WebhookDeliveryItem(d.Id, d.Webhook!.Url, d.Event, d.Attempts, d.LastStatusCode, d.LastError, d.DeliveredAt, d.NextAttemptAt, d.Done))
            .ToListAsync(cancellationToken);
    }
}
