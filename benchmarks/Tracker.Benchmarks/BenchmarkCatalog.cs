namespace Tracker.Benchmarks;

/// <summary>The benchmarks by name; one place to add the next one.</summary>
public static class BenchmarkCatalog
{
    private static readonly Dictionary<string, (string Summary, Func<string[], int> Run)> Benchmarks = new()
    {
        ["ops"] = ("per-op overhead of a tiny op and 512x512 float32 matmul GFLOP/s, beside PyTorch", OpsBenchmark.Run),
        ["train"] = ("ViT-nano on Fashion-MNIST: samples/s and peak RSS beside PyTorch, analysis metric costs", TrainBenchmark.Run),
        ["ingest"] = ("metric points/s through the run event sink into SQLite and PostgreSQL", IngestBenchmark.Run),
        ["python-ingest"] = ("points/s from one Python process (tracker_client) into the app on SQLite, beside the store alone", PythonIngestBenchmark.Run),
        ["latency"] = ("run page: epoch event to DOM update in Chromium, p50/p95/max ms of a real run", LiveLatencyBenchmark.Run),
        ["runs-query"] = ("the /runs list query (filter language + page) on 100k SQLite runs, p50/p95, and GET /runs", RunsQueryBenchmark.Run),
        ["compare"] = ("GET /compare for 50 runs x 300 epochs x 8 metrics (p50/p95), and its data load alone", CompareBenchmark.Run),
        ["remote-ingest"] = ("points/s from tracker-worker (LiteDB outbox, HTTP batches) into the app on SQLite, acknowledged, beside the store alone", RemoteIngestBenchmark.Run),
        ["process-start"] = ("a run in a child process (as the workers start it) beside a thread: time to first step and to the end", ProcessStartBenchmark.Run),
        ["charts"] = ("MudChart vs Plotly (SVG, WebGL) in Chromium: a 100k-point line and 20-line comparisons, draw and zoom ms (decision 0060)", ChartRenderBenchmark.Run),
        ["long-series"] = ("runs of 1,000,000 points of one key: run page chart data and HTML, /compare of 20 such runs (p50/p95)", LongSeriesBenchmark.Run),
    };

    public static int Run(string[] args)
    {
        if (args.Length == 0 || !Benchmarks.TryGetValue(args[0], out var benchmark))
        {
            Console.Error.WriteLine("Usage: Tracker.Benchmarks <benchmark> [options]");
            foreach (var (name, (summary, _)) in Benchmarks) Console.Error.WriteLine($"  {name,-8} {summary}");
            return args.Length == 0 ? 2 : 1;
        }
        return benchmark.Run(args[1..]);
    }
}
