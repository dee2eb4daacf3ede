using System.ComponentModel.DataAnnotations;

namespace Tracker.Web.Features.Webhooks;

/// <summary>How webhook deliveries are retried. Bound from the "Webhooks" section and checked at boot.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "Webhooks";

    /// <summary>Attempts per delivery, the first included; after the last failure the delivery is given up (and shown so).</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 6;

    /// <summary>Wait before the first retry; each later retry waits twice as long as the one before (10 s, 20 s, 40 s...).</summary>
    [Range(0.01, 3600)]
    public double FirstRetrySeconds { get; set; } = 10;

    /// <summary>How long one POST may take before it counts as failed.</summary>
    [Range(0.1, 300)]
    public double TimeoutSeconds { get; set; } = 10;

    /// <summary>How often the sender looks for deliveries due (new ones are sent at once).</summary>
    [Range(0.01, 3600)]
    public double PollSeconds { get; set; } = 1;

    /// <summary>The wait after <paramref name="failedAttempts"/> failed attempts: exponential backoff.</summary>
    public TimeSpan RetryDelay(int failedAttempts) => TimeSpan.FromSeconds(FirstRetrySeconds * Math.Pow(2, Math.Max(0, failedAttempts - 1)));
}
