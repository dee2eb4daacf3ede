using Microsoft.Extensions.DependencyInjection.Extensions;
using Tracker.Web.Jobs;

namespace Tracker.Web.Extensions;

/// <summary>The durable run queue and the in-process workers that train it.</summary>
public static class JobsExtensions
{
    public static WebApplicationBuilder AddTrackerJobs(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobsOptions>()
            .BindConfiguration(JobsOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<RunSubmission>();
        builder.Services.AddSingleton<QueueOrder>();
        builder.Services.AddSingleton<JobLeases>();
        builder.Services.AddOptions<TrainingOptions>().BindConfiguration(TrainingOptions.SectionName);
        builder.Services.AddSingleton<DatasetRoots>();
        builder.Services.AddSingleton<RunCheckpoints>();
        builder.Services.AddHostedService<TrainingWorker>();
        return builder;
    }
}
