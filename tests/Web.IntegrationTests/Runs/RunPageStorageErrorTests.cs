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
/// The run page of a training run while its events cannot be stored: the page is rendered live (bUnit, interactive)
/// over the real app's services, so the storage error reaches it the way it reaches a browser, from the run's event
/// sink through <see cref="StorageHealth"/>.
/// </summary>
public sealed class RunPageStorageErrorTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(180);
    private readonly string _runsDirectory = Directory.CreateTempSubdirectory("tracker-runs-test-").FullName;

    public void Dispose() => Directory.Delete(_runsDirectory, recursive: true);

    [Fact]
    public async Task StoreDownMidRun_ThePageShowsTheStorageError_AndItGoesWhenTheStoreIsBack()
    {
        const int epochs = 40;
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var outage = new StoreOutage();
        var settings = database.AppSettings;
        settings["Jobs:RunsDirectory"] = _runsDirectory;
        settings["Jobs:PollSeconds"] = "0.1";
        settings["Jobs:LeaseSeconds"] = "60";
        settings["Jobs:StoreOutageSeconds"] = "120";
        settings["Jobs:EventBuffer"] = "100";
        await using var host = new TrackerAppFactory(settings, services => services.AddSingleton(outage.Interceptor));
        var runId = (await host.Services.GetRequiredService<RunSubmission>().SubmitAsync(new RunConfig
        {
            Name = "tiny", Model = "mlp", Dataset = "synthetic", TrainSubset = 64, BatchSize = 32, Epochs = epochs,
            Device = DeviceKind.Cpu, MaxStepsPerEpoch = 2,
        })).RunId!.Value;
        await WaitForEpochsAsync(database, runId, 3);

        await using var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServices();
        bunit.Services.AddScoped<Tracker.Web.Components.Library.ThemeMode>();
        bunit.Services.AddScoped<Tracker.Web.Components.Library.ChartDraws>();
        // A scope of the app's services, as a circuit has: the singletons (the notifier, the storage health) are the app's own.
        using var circuit = host.Services.CreateScope();
        bunit.Services.AddFallbackServiceProvider(circuit.ServiceProvider);
        bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var page = bunit.Render<RunView>(parameters => parameters.Add(view => view.RunId, runId));
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=epochs-completed]")), Patience);
        Assert.Empty(page.FindAll("[data-testid=storage-error]"));

        await outage.StopAsync(DatabaseProvider.Sqlite);
        page.WaitForAssertion(() => Assert.NotEmpty(page.FindAll("[data-testid=storage-error]")), TimeSpan.FromSeconds(30));
        var shownDuringOutage = page.Find("[data-testid=storage-error]").TextContent;
        var epochDuringOutage = int.Parse(page.Find("[data-testid=epochs-completed]").TextContent, System.Globalization.CultureInfo.InvariantCulture);
        await Task.Delay(TimeSpan.FromSeconds(2));
        var epochLater = int.Parse(page.Find("[data-testid=epochs-completed]").TextContent, System.Globalization.CultureInfo.InvariantCulture);
        await outage.StartAsync(DatabaseProvider.Sqlite);

        // The store's own words, and what happens to the metrics meanwhile.
        Assert.Contains("Storage unavailable: the database refuses writes", page.Markup, StringComparison.Ordinal);
        Assert.Contains("unable to open database file", shownDuringOutage, StringComparison.Ordinal);
        Assert.Contains("buffered and will be written when the database is back", shownDuringOutage, StringComparison.Ordinal);
        Assert.Equal(epochDuringOutage, epochLater); // nothing unstored is shown as done
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("[data-testid=storage-error]")), TimeSpan.FromSeconds(30));
        page.WaitForAssertion(() => Assert.Equal("succeeded", page.Find("[data-testid=run-status]").TextContent.Trim()), Patience);
        Assert.Empty(page.FindAll("[data-testid=storage-error]"));
        Assert.Equal(epochs.ToString(System.Globalization.CultureInfo.InvariantCulture), page.Find("[data-testid=epochs-completed]").TextContent);
    }

    private static async Task WaitForEpochsAsync(TestDatabase database, long runId, int epochs)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (true)
        {
            await using (var context = database.CreateDbContext())
            {
                var run = await context.Runs.AsNoTracking().SingleAsync(r => r.Id == runId);
                if (run.EpochsCompleted >= epochs) return;
                if (DateTime.UtcNow > deadline) throw new TimeoutException($"Run {runId} has {run.EpochsCompleted} epochs after {Patience}.");
            }
            await Task.Delay(50);
        }
    }
}
