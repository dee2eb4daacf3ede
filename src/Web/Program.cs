using Tracker.Web.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.UseTrackerDefaultUrl();
builder.AddTrackerRuntime();
builder.AddTrackerData();
builder.AddTrackerSecurity();
builder.AddTrackerRealtime();
builder.AddTrackerJobs();
builder.AddTrackerSweepsAndWebhooks();
builder.AddTrackerUi();
builder.AddTrackerApi();
builder.AddTrackerIngest();

var app = builder.Build();

app.UseTrackerErrorPages();
app.UseTrackerApiProblems();
app.UseTrackerSecurity();
app.MapTrackerRealtime();
app.MapTrackerApi();
app.MapTrackerUi();

app.Run();

/// <summary>Public so WebApplicationFactory&lt;Program&gt; in the tests can host the app.</summary>
public partial class Program;
