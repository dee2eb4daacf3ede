using System.Net;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Tracker.Web.Security;

/// <summary>
/// Counts failed token authentications per client address with ASP.NET Core's fixed-window limiter: each failure takes
/// a permit, and an address with none left is refused (429) until its window ends, so tokens cannot be guessed at speed.
/// </summary>
public sealed class AuthFailureLimiter(IOptions<AuthOptions> options) : IDisposable
{
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(client =>
        RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, options.Value.TokenFailuresPerMinute), Window = Window, QueueLimit = 0, AutoReplenishment = true,
        }));

    public static string ClientOf(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? IPAddress.None.ToString();

    public bool IsLimited(string client) => _limiter.GetStatistics(client)?.CurrentAvailablePermits == 0;

    public void RecordFailure(string client)
    {
        using var lease = _limiter.AttemptAcquire(client);
    }

    public void Dispose() => _limiter.Dispose();
}
