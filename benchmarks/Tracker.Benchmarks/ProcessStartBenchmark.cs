using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Engine;
using Tracker.Training.Processes;

namespace Tracker.Benchmarks;

/// <summary>
/// What a process per run costs (issue 12): from asking for a run to its first step event and to its end, a tiny
/// MLP run trained in a child process (tracker-train, as the app's workers start it) beside the same run on a thread
/// of this process, several times each, alternating.
/// </summary>
public static class ProcessStartBenchmark
{
    public static int Run(string[] args)
    {
        var repeats = args.Length > 0 ? int.Parse(args[0]) : 5;
        var config = new RunConfig
        {
            Name = "process-start", Model = KnownModels.Mlp, Dataset = KnownDatasets.Synthetic, TrainSubset = 256, BatchSize = 32,
            Epochs = 1, MaxStepsPerEpoch = 4, Device = DeviceKind.Cpu, Analysis = new AnalysisSettings { EverySteps = 0 },
        };
        Console.WriteLine($"process-start benchmark: tiny MLP run (4 steps, 1 epoch), {repeats} runs each way, load {Machine.LoadAverage()}");
        var child = new List<(double First, double End)>();
        var thread = new List<(double First, double End)>();
        for (var i = 0; i < repeats; i++)
        {
            child.Add(Measure(config, inChild: true));
            thread.Add(Measure(config, inChild: false));
        }
        Console.WriteLine($"{"",-28} {"first step p50",15} {"whole run p50",14}");
        Console.WriteLine($"{"child process (tracker-train)",-28} {Median(child.Select(c => c.First)),12:F0} ms {Median(child.Select(c => c.End)),11:F0} ms");
        Console.WriteLine($"{"thread of this process",-28} {Median(thread.Select(c => c.First)),12:F0} ms {Median(thread.Select(c => c.End)),11:F0} ms");
        Console.WriteLine($"a process per run costs {Median(child.Select(c => c.First)) - Median(thread.Select(c => c.First)):F0} ms more to its first step");
        return 0;
    }

    private static (double First, double End) Measure(RunConfig config, bool inChild)
    {
        var folder = Directory.CreateTempSubdirectory("tracker-process-start-").FullName;
        try
        {
            var options = new TrainerOptions { OutputDirectory = folder, StepEventEvery = 1, SystemMetricsEvery = TimeSpan.Zero };
            var clock = Stopwatch.StartNew();
            double? first = null;
            void Seen(TrainingEvent e)
            {
                if (e is StepEvent && first is null) first = clock.Elapsed.TotalMilliseconds;
            }
            RunFinishedEvent finished;
            if (inChild)
                finished = new TrainingProcess(new TrainingProcessOptions(TrainingProcess.DefaultEnginePath, CancelGraceSeconds: 10))
                    .RunAsync(config, options, e =>
                    {
                        Seen(e);
                        return ValueTask.CompletedTask;
                    }, CancellationToken.None)
                    .GetAwaiter().GetResult().Finished;
            else
                finished = new Trainer(config, options, Seen).Run();
            if (finished.Status != RunOutcome.Succeeded) throw new InvalidOperationException($"The run did not succeed: {finished.Summary.Error}");
            return (first ?? double.NaN, clock.Elapsed.TotalMilliseconds);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted[sorted.Length / 2];
    }
}
