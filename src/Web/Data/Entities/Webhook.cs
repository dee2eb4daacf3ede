namespace Tracker.Web.Data;

/// <summary>
/// A URL told when a project's runs end. Each POST carries an HMAC-SHA256 of its body keyed with <see cref="Secret"/>;
/// the secret is kept as given (not hashed) because signing needs it, and is shown only once, when the hook is made.
/// </summary>
public sealed class Webhook
{
    public long Id { get; set; }
    public long ProjectId { get; set; }
    public Project? Project { get; set; }
    public required string Url { get; set; }
    public required string Secret { get; set; }
    /// <summary>The events it wants: any of <see cref="WebhookEvents.All"/>.</summary>
    public List<string> Events { get; set; } = [];
    public DateTime CreatedAt { get; set; }
}

/// <summary>One announcement of one run to one webhook, and how its delivery went. Times are UTC.</summary>
public sealed class WebhookDelivery
{
    public long Id { get; set; }
    public long WebhookId { get; set; }
    public Webhook? Webhook { get; set; }
    public long RunId { get; set; }
    public Run? Run { get; set; }
    /// <summary>One of <see cref="WebhookEvents.All"/>.</summary>
    public required string Event { get; set; }
    /// <summary>The exact bytes sent (and signed) on every attempt.</summary>
    public required string Payload { get; set; }
    public int Attempts { get; set; }
    public int? LastStatusCode { get; set; }
    public string? LastError { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? NextAttemptAt { get; set; }
    public DateTime? DeliveredAt { get; set; }
    /// <summary>True once delivered or out of attempts: nothing more is sent.</summary>
    public bool Done { get; set; }
}

/// <summary>The run endings a webhook can ask for.</summary>
public static class WebhookEvents
{
    public const string Finished = "finished";
    public const string Failed = "failed";
    public const string Diverged = "diverged";

    public static IReadOnlyList<string> All { get; } = [Finished, Failed, Diverged];

    /// <summary>The event a run ending in <paramref name="status"/> announces; null for cancelled (and unfinished) runs.</summary>
    public static string? Of(RunStatus status) => status switch
    {
        RunStatus.Succeeded => Finished,
        RunStatus.Failed => Failed,
        RunStatus.Diverged => Diverged,
        _ => null,
    };
}
