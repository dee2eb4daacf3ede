namespace Tracker.Web.Features.Webhooks;

/// <summary>The body of POST /api/projects/{name}/webhooks. A missing secret is made up and returned once.</summary>
public sealed record WebhookRequest(string? Url, IReadOnlyList<string>? Events, string? Secret);

/// <summary>A webhook as lists show it: never its secret.</summary>
public sealed record WebhookItem(long Id, string Project, string Url, IReadOnlyList<string> Events, DateTime Created);

/// <summary>A webhook just made: the only answer that carries its secret.</summary>
public sealed record CreatedWebhook(long Id, string Project, string Url, IReadOnlyList<string> Events, DateTime Created, string Secret);

/// <summary>One delivery of a run's ending to a webhook, as the run page shows it.</summary>
public sealed record WebhookDeliveryItem(
    long Id, string Url, string Event, int Attempts, int? LastStatusCode, string? LastError, DateTime? DeliveredAt, DateTime? NextAttemptAt, bool Done);

/// <summary>The JSON a webhook receives when a run ends.</summary>
public sealed record WebhookPayload(
    string Event, long RunId, string Name, string Project, string Status, string? Error, string Url, DateTime? FinishedAt,
    double? BestValAcc, double? BestValLoss, string? SweepId);
