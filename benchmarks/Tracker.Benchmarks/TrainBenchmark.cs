using System.Diagnostics;
using Tracker.Shared;
using Tracker.Training.Data;
using Tracker.Training.Engine;
using Tracker.Training.Engine.Analysis;
using Tracker.Training.Models;
using Tracker.Training.Torch;
using F = Tracker.Training.Torch.torch.nn.functional;

namespace Tracker.Benchmarks;

/// <summary>
/// Training throughput and memory: ViT-nano on Fashion-MNIST, batch 128, AdamW, dropout 0.1,
/// samples/s over timed steps and the process's peak RSS, beside the same model in PyTorch run
/// in its own process on the same libtorch and thread count. Then what each analysis metric
/// costs as a share of one training step.
/// </summary>
public static class TrainBenchmark
{
    private const int BatchSize = 128;

    public static int Run(string[] args)
    {
        // --tracker-only: this side's figures alone, for quick rounds while tuning.
        var trackerOnly = args.Contains("--tracker-only");
        args = args.Where(a => a != "--tracker-only").ToArray();
        var steps = args.Length > 0 ? int.Parse(args[0]) : 30;
        // Both sides run with the trainer's thread setting (libtorch intra-op threads; OpenBLAS keeps its own pool).
        var threads = args.Length > 1 ? int.Parse(args[1]) : TrainerOptions.DefaultThreads;
        torch.set_num_threads(threads);
        torch.manual_seed(0);
        Console.WriteLine($"train benchmark: ViT-nano, Fashion-MNIST, batch {BatchSize}, AdamW, dropout 0.1, {steps} timed steps, {threads} libtorch thread(s), OpenBLAS default");

        var splits = FashionMnist.Load();
        using var model = ModelFactory.Create(KnownModels.VitNano, 1, 28, 10, dropoutRate: 0.1);
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-3, weight_decay: 0.05);
        var loader = new BatchLoader(splits.Train, splits.Normalization, BatchSize, torch.CPU, shuffle: true, seed: 0);
        model.train();

        double Step(int i)
        {
            using var batch = loader.GetBatch(epoch: 1, step: i % loader.StepsPerEpoch);
            using var scope = torch.NewDisposeScope();
            optimizer.zero_grad();
            var loss = F.cross_entropy(model.forward(batch.Images), batch.Labels);
            loss.backward();
            optimizer.step();
            return loss.ToDouble();
        }

        for (var i = 0; i < 5; i++) Step(i);
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < steps; i++) Step(i);
        var stepSeconds = watch.Elapsed.TotalSeconds / steps;
        var samplesPerSecond = BatchSize / stepSeconds;
        var peakRss = Process.GetCurrentProcess().PeakWorkingSet64 / (1024.0 * 1024.0);

        if (trackerOnly)
        {
            Console.WriteLine($"Tracker: {samplesPerSecond:F1} samples/s, peak RSS {peakRss:F1} MiB");
            return 0;
        }
        var analysisCosts = AnalysisCosts(model, loader, stepSeconds);

        // PyTorch twice: as its users run it, and with the allocator settings the shim applies to
        // itself (glibc reads them from the environment), so the table separates the two effects.
        var reference = PythonReference.Run("vit_reference.py", steps.ToString(), threads.ToString());
        var tuned = PythonReference.Run("vit_reference.py", new Dictionary<string, string>
        {
            ["MALLOC_MMAP_THRESHOLD_"] = "1073741824",
            ["MALLOC_TRIM_THRESHOLD_"] = "1073741824",
        }, steps.ToString(), threads.ToString());
        Console.WriteLine();
        Console.WriteLine($"{"figure",-20} {"Tracker (C#)",13} {"PyTorch",9} {"ratio",7} {"PyTorch, same malloc",21} {"ratio",7}");
        Row("train samples/s", samplesPerSecond, "samples_per_s", reference, tuned);
        Row("peak RSS, MiB", peakRss, "peak_rss_mib", reference, tuned);
        Console.WriteLine($"{"parameters",-20} {model.ParameterCount,13} {reference?.GetProperty("parameters").GetInt64().ToString() ?? "n/a",9}");
        Console.WriteLine("ratio = Tracker / PyTorch (goal: samples/s >= 1.2x, peak RSS <= 0.8x)");
        Console.WriteLine();
        Console.WriteLine($"analysis metric cost, as a share of one training step ({stepSeconds * 1000:F1} ms):");
        foreach (var (name, seconds) in analysisCosts)
            Console.WriteLine($"  {name,-58} {seconds * 1000,9:F2} ms {seconds / stepSeconds,8:P1}");
        return 0;
    }

    private static List<(string Name, double Seconds)> AnalysisCosts(ClassifierModel model, BatchLoader loader, double stepSeconds)
    {
        using var analysis = new GradientAnalysis(model.parameters().ToList());
        using (var batch = loader.GetBatch(1, 0))
        using (torch.NewDisposeScope())
            F.cross_entropy(model.forward(batch.Images), batch.Labels).backward(); // gradients to measure

        double Time(Action action, int repeats)
        {
            action();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < repeats; i++) action();
            return watch.Elapsed.TotalSeconds / repeats;
        }

        var costs = new List<(string, double)>
        {
            ("gradient norm", Time(() => analysis.GradientNorm(), 20)),
            ("distance from initialization", Time(() => analysis.DistanceFromInit(), 20)),
        };
        const int g = 8, wholeSet = 1024;
        var miniBatches = Enumerable.Range(0, g).Select(i => loader.GetBatch(2, i)).ToList();
        var whole = Enumerable.Range(0, wholeSet / BatchSize).Select(i => loader.GetBatch(3, i)).ToList();
        costs.Add(($"gradient direction variance + error (G={g}, whole set {wholeSet})",
            Time(() => analysis.GradientDirections(model, (logits, targets) => F.cross_entropy(logits, targets), miniBatches, whole), 2)));
        foreach (var batch in miniBatches.Concat(whole)) batch.Dispose();
        return costs;
    }

    private static void Row(string name, double ours, string key, System.Text.Json.JsonElement? plain, System.Text.Json.JsonElement? tuned)
    {
        var (a, b) = (plain?.GetProperty(key).GetDouble(), tuned?.GetProperty(key).GetDouble());
        Console.WriteLine($"{name,-20} {ours,13:F1} {Format(a),9} {Ratio(ours, a),7} {Format(b),21} {Ratio(ours, b),7}");
    }

    private static string Format(double? value) => value is { } v ? v.ToString("F1") : "n/a";

    private static string Ratio(double ours, double? theirs) => theirs is { } t ? (ours / t).ToString("F2") + "x" : "n/a";
}
