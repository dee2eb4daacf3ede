using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Tracker.Shared;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using Tracker.Web.IntegrationTests.Support;
using Tracker.Web.Jobs;

namespace Tracker.Web.IntegrationTests.RunPage;

/// <summary>
/// The run page of a run with no points yet (issue 13, problem 3): each chart it will fill says when its first point is
/// due, instead of an empty box, and the progress line says at which step progress shows. Rendered (bUnit) over the app's services.
/// </summary>
public sealed class RunViewWaitingTests
{
    private static readonly RunConfig Config = new()
    {
        Name = "waiting", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = 3, Device = DeviceKind.Cpu,
        StepEventEvery = 4, Analysis = new AnalysisSettings { EverySteps = 0 },
    };

    private static string Waiting(IRenderedComponent<RunView> page, string chart) =>
        page.Find($"figure[aria-label=\"{chart}\"] .metric-chart-empty").TextContent;

    [Theory]
    [InlineData(RunStatus.Queued, "Waiting for the run to start.", "Waiting for the run to start.")]
    [InlineData(RunStatus.Running, "First point at the end of epoch 1 (step 2).", "First point after step 2.")]
    public async Task ARunWithoutPoints_SaysWhenEachChartsFirstPointIsDue(RunStatus status, string epochChart, string stepChart)
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var settings = database.AppSettings;
        settings["Jobs:Workers"] = "0"; // nothing trains it: the page shows the run as the database has it
        await using var host = new TrackerAppFactory(settings);
        var runId = (await host.Services.GetRequiredService<RunSubmission>().SubmitAsync(Config)).RunId!.Value;
        await using (var context = database.CreateDbContext())
            await context.Runs.Where(r => r.Id == runId).ExecuteUpdateAsync(r => r.SetProperty(run => run.Status, status));

        await using var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServices();
        bunit.Services.AddScoped<Tracker.Web.Components.Library.ThemeMode>();
        bunit.Services.AddScoped<Tracker.Web.Components.Library.ChartDraws>();
        using var circuit = host.Services.CreateScope();
        bunit.Services.AddFallbackServiceProvider(circuit.ServiceProvider);
        bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = bunit.Render<RunView>(parameters => parameters.Add(view => view.RunId, runId));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("figure")), TimeSpan.FromSeconds(30));

        Assert.Equal(epochChart, Waiting(page, "Loss"));
        Assert.Equal(epochChart, Waiting(page, "Accuracy"));
        // The synthetic subset of 64 in batches of 32: an epoch ends at step 2, before the first step event (4).
        Assert.Equal(stepChart, Waiting(page, "Training loss by step"));
        Assert.Equal(stepChart, Waiting(page, "Learning rate"));
        Assert.Empty(page.FindAll("figure[aria-label=\"Drop rates as scheduled\"]")); // no dropout: nothing to schedule
        Assert.Empty(page.FindAll("figure[aria-label=\"Gradient norm\"]")); // analysis is off
        if (status == RunStatus.Running)
            Assert.Equal("Epoch 1: progress after step 4", page.Find("[data-testid=epoch-steps]").TextContent.Trim());
    }
}
