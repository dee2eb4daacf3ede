using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Tracker.Web.Data;
using Tracker.Web.Features.Sharing;

namespace Tracker.Web.Tests.Sharing;

public class ShareTokenTests
{
    [Fact]
    public void NewToken_Is128RandomBitsInBase64Url()
    {
        var tokens = Enumerable.Range(0, 1000).Select(_ => ShareLinks.NewToken()).ToList();

        Assert.All(tokens, token =>
        {
            Assert.Equal(ShareLinks.TokenLength, token.Length);
            Assert.Equal(16, Base64Url.DecodeFromChars(token).Length);
            Assert.True(ShareLinks.LooksLikeToken(token));
        });
        Assert.Equal(tokens.Count, tokens.Distinct().Count());
        // Every one of the 128 bits takes both values somewhere among 1000 tokens (a fixed or counter part would not).
        var bytes = tokens.Select(t => Base64Url.DecodeFromChars(t)).ToList();
        for (var bit = 0; bit < 128; bit++)
        {
            var ones = bytes.Count(b => (b[bit / 8] >> (bit % 8) & 1) == 1);
            Assert.InRange(ones, 1, tokens.Count - 1);
        }
    }

    [Fact]
    public void Hash_IsTheLowerCaseHexSha256OfTheToken()
    {
        var token = ShareLinks.NewToken();

        var hash = ShareLinks.Hash(token);

        Assert.Equal(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(token))).ToLowerInvariant(), hash);
        Assert.Equal(64, hash.Length);
        Assert.DoesNotContain(token, hash, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("short")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAA=")]
    [InlineData("AAAAAAAAAAAAAAAAAAAA+/")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAA")]
    public void LooksLikeToken_RefusesWhatNewTokenNeverMakes(string? token) => Assert.False(ShareLinks.LooksLikeToken(token));

    [Theory]
    [InlineData(ShareTargetKind.Run, " 012 ", "12")]
    [InlineData(ShareTargetKind.Comparison, "x=epoch&runs=2,1,2&smooth=0", "runs=2,1")]
    [InlineData(ShareTargetKind.Comparison, "?runs=3&metrics=val/acc&group=method", "runs=3&metrics=val/acc&group=method")]
    [InlineData(ShareTargetKind.Sweep, " sweep-1 ", "sweep-1")]
    [InlineData(ShareTargetKind.PaperTable, "early-basic", "early-basic")]
    public void Normalize_StoresOneFormPerTarget(ShareTargetKind kind, string target, string expected) =>
        Assert.Equal((expected, null), ShareLinks.Normalize(kind, target));

    [Theory]
    [InlineData(ShareTargetKind.Run, "abc")]
    [InlineData(ShareTargetKind.Run, "0")]
    [InlineData(ShareTargetKind.Comparison, "metrics=val/acc")]
    [InlineData(ShareTargetKind.Comparison, "runs=1&x=wall")]
    [InlineData(ShareTargetKind.Sweep, "  ")]
    public void Normalize_RefusesATargetThatIsNotOne(ShareTargetKind kind, string target)
    {
        var (normalized, error) = ShareLinks.Normalize(kind, target);

        Assert.Null(normalized);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }
}
