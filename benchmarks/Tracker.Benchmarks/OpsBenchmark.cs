using System.Diagnostics;
using Tracker.Training.Torch;

namespace Tracker.Benchmarks;

/// <summary>
/// What one binding call costs: a tiny elementwise add (dominated by call overhead, allocation
/// and freeing) and a 512x512 float32 matmul (dominated by libtorch's kernel), each beside the
/// same loop in PyTorch from Python on the same libtorch and thread count.
/// </summary>
public static class OpsBenchmark
{
    public static int Run(string[] args)
    {
        var iterations = args.Length > 0 ? int.Parse(args[0]) : 200_000;
        var threads = torch.get_num_threads();
        Console.WriteLine($"ops benchmark: libtorch threads {threads}, tiny-op iterations {iterations}");

        var tinyDispose = TinyOpMicroseconds(iterations, scoped: false);
        var tinyScoped = TinyOpMicroseconds(iterations, scoped: true);
        var gflops = MatmulGflops(512, repeats: 200);

        var reference = PythonReference.Run("ops_reference.py", iterations.ToString(), threads.ToString());
        Console.WriteLine();
        Console.WriteLine($"{"figure",-40} {"Tracker (C#)",14} {"PyTorch",12} {"ratio",8}");
        Row("tiny add, us/op (Dispose each)", tinyDispose, reference?.GetProperty("tiny_add_us").GetDouble(), lowerIsBetter: true);
        Row("tiny add, us/op (DisposeScope)", tinyScoped, reference?.GetProperty("tiny_add_us").GetDouble(), lowerIsBetter: true);
        Row("matmul 512x512 float32, GFLOP/s", gflops, reference?.GetProperty("matmul_gflops").GetDouble(), lowerIsBetter: false);
        Console.WriteLine("ratio = Tracker / PyTorch for GFLOP/s, PyTorch / Tracker for us/op: above 1 means Tracker is faster.");
        return 0;
    }

    private static void Row(string name, double ours, double? theirs, bool lowerIsBetter)
    {
        var ratio = theirs is { } t ? (lowerIsBetter ? t / ours : ours / t).ToString("F2") + "x" : "n/a";
        Console.WriteLine($"{name,-40} {ours,14:F3} {(theirs is { } v ? v.ToString("F3") : "n/a"),12} {ratio,8}");
    }

    private static double TinyOpMicroseconds(int iterations, bool scoped)
    {
        using var a = torch.ones([1]);
        using var b = torch.ones([1]);
        void Loop(int count)
        {
            if (scoped)
            {
                // One scope per 1000 ops, as a training step would hold a step's temporaries.
                for (var done = 0; done < count; done += 1000)
                {
                    using var scope = torch.NewDisposeScope();
                    for (var i = 0; i < 1000; i++) _ = a + b;
                }
            }
            else
            {
                for (var i = 0; i < count; i++) (a + b).Dispose();
            }
        }
        Loop(Math.Min(iterations, 20_000)); // warm-up: JIT and libtorch's first-call paths
        var watch = Stopwatch.StartNew();
        Loop(iterations);
        return watch.Elapsed.TotalMicroseconds / iterations;
    }

    private static double MatmulGflops(int n, int repeats)
    {
        using var x = torch.randn([n, n]);
        using var y = torch.randn([n, n]);
        for (var i = 0; i < 10; i++) x.matmul(y).Dispose();
        var watch = Stopwatch.StartNew();
        for (var i = 0; i < repeats; i++) x.matmul(y).Dispose();
        var seconds = watch.Elapsed.TotalSeconds;
        return 2.0 * n * n * n * repeats / seconds / 1e9;
    }
}
