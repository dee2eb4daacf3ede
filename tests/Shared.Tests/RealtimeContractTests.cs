namespace Tracker.Shared.Tests;

public class RealtimeContractTests
{
    [Fact]
    public void HubPath_IsHubsRuns() => Assert.Equal("/hubs/runs", RunsHubRoutes.Path);

    [Fact]
    public void RunGroup_IsStablePerRun() => Assert.Equal("run:42", RunsHubRoutes.RunGroup(42));

    [Fact]
    public void EveryClientMethod_ReturnsTaskAndTakesRunIdThenAnEvent()
    {
        var methods = typeof(IRunsClient).GetMethods();

        Assert.Equal(7, methods.Length); // one per event type, PointsLogged (a script's batch) included
        foreach (var method in methods)
        {
            var parameters = method.GetParameters();
            Assert.Equal(typeof(Task), method.ReturnType);
            Assert.Equal(typeof(long), parameters[0].ParameterType); // the database's run id, end to end
            Assert.True(parameters[1].ParameterType.IsSubclassOf(typeof(TrainingEvent)), method.Name);
        }
    }

    [Fact]
    public void SharedAssembly_ReferencesNothingButTheFramework()
    {
        var references = typeof(RunConfig).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.All(references, name => Assert.True(name.StartsWith("System", StringComparison.Ordinal) || name == "netstandard", name));
    }
}
