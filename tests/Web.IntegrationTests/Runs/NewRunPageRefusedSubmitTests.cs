using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;
using Tracker.Tests.Support;
using Tracker.Web.Data;
using Tracker.Web.Features.Runs;
using Tracker.Web.IntegrationTests.Support;

namespace Tracker.Web.IntegrationTests.RunPage;

/// <summary>
/// /runs/new refusing a submit (issue 13, problem 4): the page asks the browser to bring the first invalid field into
/// view and focus it, and the message under the button names the fields. Rendered live (bUnit) over the real app's services.
/// </summary>
public sealed class NewRunPageRefusedSubmitTests
{
    private static async Task<(IRenderedComponent<NewRunPage> Page, BunitContext Bunit, TrackerAppFactory Host, TestDatabase Database)> OpenAsync()
    {
        var database = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite);
        var host = new TrackerAppFactory(database.AppSettings);
        var bunit = new BunitContext();
        bunit.JSInterop.Mode = JSRuntimeMode.Loose;
        bunit.Services.AddMudServices();
        bunit.Services.AddScoped<Tracker.Web.Components.Library.ThemeMode>();
        bunit.Services.AddScoped<Tracker.Web.Components.Library.ChartDraws>();
        bunit.Services.AddFallbackServiceProvider(host.Services.CreateScope().ServiceProvider);
        bunit.SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        return (bunit.Render<NewRunPage>(), bunit, host, database);
    }

    private static string FocusedSelector(BunitContext bunit) =>
        Assert.Single(bunit.JSInterop.Invocations, i => i.Identifier == "trackerForm.focusProblem").Arguments[0]!.ToString()!;

    [Fact]
    public async Task ARefusedSubmit_FocusesTheFirstInvalidFieldInPageOrder_AndNamesEveryInvalidField()
    {
        var (page, bunit, host, database) = await OpenAsync();
        await using (database)
        await using (host)
        await using (bunit)
        {
            page.Find("input#lr").Change("-1");
            page.Find("input#epochs").Change("0");
            Assert.DoesNotContain(bunit.JSInterop.Invocations, i => i.Identifier == "trackerForm.focusProblem");

            await page.Find("form").SubmitAsync();

            // Epochs comes before the learning rate on the page, though it was made invalid second.
            page.WaitForAssertion(() => Assert.Equal("[data-field=\"epochs\"]", FocusedSelector(bunit)));
            Assert.Equal("Nothing was queued: fix Epochs and Learning rate (marked above).", page.Find("[data-testid=submit-blocked]").TextContent.Trim());
        }
    }

    [Fact]
    public async Task AnEmptyName_IsFocused_AndTheMessageGoesOnceItIsFixed()
    {
        var (page, bunit, host, database) = await OpenAsync();
        await using (database)
        await using (host)
        await using (bunit)
        {
            page.Find("input#name").Change("");
            await page.Find("form").SubmitAsync();
            page.WaitForAssertion(() => Assert.Equal("[data-field=\"name\"]", FocusedSelector(bunit)));

            page.Find("input#name").Change("fixed");
            Assert.Empty(page.FindAll("[data-testid=submit-blocked]"));
        }
    }
}
