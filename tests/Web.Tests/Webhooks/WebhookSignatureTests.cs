using System.Security.Cryptography;
using System.Text;
using Tracker.Web.Data;
using Tracker.Web.Features.Webhooks;

namespace Tracker.Web.Tests.Webhooks;

public class WebhookSignatureTests
{
    [Fact]
    public void Signature_IsTheHexHmacSha256OfTheBody_AndVerifiesOnlyWithTheSameSecretAndBytes()
    {
        var body = Encoding.UTF8.GetBytes("""{"event":"finished","runId":7}""");

        var signature = WebhookSignature.Sign("s3cret-s3cret-s3cret", body);

        Assert.Equal("sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes("s3cret-s3cret-s3cret"), body)), signature);
        Assert.True(WebhookSignature.Verify("s3cret-s3cret-s3cret", body, signature));
        Assert.False(WebhookSignature.Verify("another-secret-here", body, signature));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", [.. body, (byte)' '], signature));
        Assert.False(WebhookSignature.Verify("s3cret-s3cret-s3cret", body, null));
    }

    [Fact]
    public void RetryDelay_DoublesAfterEachFailedAttempt()
    {
        var options = new WebhookOptions { FirstRetrySeconds = 10 };

        Assert.Equal([10.0, 20, 40, 80], Enumerable.Range(1, 4).Select(n => options.RetryDelay(n).TotalSeconds));
    }

    [Theory]
    [InlineData(RunStatus.Succeeded, "finished")]
    [InlineData(RunStatus.Failed, "failed")]
    [InlineData(RunStatus.Diverged, "diverged")]
    [InlineData(RunStatus.Cancelled, null)]
    [InlineData(RunStatus.Running, null)]
    public void RunEnding_AnnouncesItsEvent_CancelledAnnouncesNothing(RunStatus status, string? expected) =>
        Assert.Equal(expected, WebhookEvents.Of(status));
}
