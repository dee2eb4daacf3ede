using System.Security.Cryptography;
using System.Text;

namespace Tracker.Web.Features.Webhooks;

/// <summary>
/// The signature of a webhook body: "sha256=" and the lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the
/// webhook's secret (UTF-8), sent in <see cref="Header"/>, as GitHub's X-Hub-Signature-256 is. A receiver recomputes it
/// over the raw body and compares in constant time.
/// </summary>
public static class WebhookSignature
{
    public const string Header = "X-Tracker-Signature-256";
    public const string EventHeader = "X-Tracker-Event";
    public const string DeliveryHeader = "X-Tracker-Delivery";

    public static string Sign(string secret, byte[] body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public static bool Verify(string secret, byte[] body, string? signature) =>
        signature is not null && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Sign(secret, body)), Encoding.ASCII.GetBytes(signature));

    /// <summary>A new secret: 32 random bytes, URL-safe base64.</summary>
    public static string NewSecret() =>
        Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
