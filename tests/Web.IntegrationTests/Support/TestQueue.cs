using Microsoft.Extensions.Options;
using Tracker.Web.Data;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.Support;

/// <summary>The queue's three parts over one test database, as the app registers them.</summary>
public sealed record TestQueue(RunSubmission Submission, QueueOrder Order, JobLeases Leases)
{
    public static TestQueue Over(TestDatabase database, JobsOptions? options = null) => new(
        new RunSubmission(database, TimeProvider.System),
        new QueueOrder(database),
        new JobLeases(database, Options.Create(options ?? new JobsOptions()), TimeProvider.System));
}
