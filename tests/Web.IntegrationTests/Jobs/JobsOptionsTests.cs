using System.ComponentModel.DataAnnotations;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Jobs;

public class JobsOptionsTests
{
    private static List<ValidationResult> Validate(JobsOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    [Fact]
    public void Defaults_AreValid_WithOneWorker() => Assert.Equal((0, 1), (Validate(new JobsOptions()).Count, new JobsOptions().Workers));

    [Fact]
    public void HeartbeatLongerThanHalfTheLease_IsRejected() =>
        Assert.Contains(Validate(new JobsOptions { LeaseSeconds = 10, HeartbeatSeconds = 6 }), r => r.MemberNames.Contains(nameof(JobsOptions.HeartbeatSeconds)));

    [Fact]
    public void NegativeWorkers_AreRejected() =>
        Assert.Contains(Validate(new JobsOptions { Workers = -1 }), r => r.MemberNames.Contains(nameof(JobsOptions.Workers)));
}
