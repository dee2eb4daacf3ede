using Tracker.Benchmarks;

// Usage: Tracker.Benchmarks <benchmark> [options]; see BenchmarkCatalog for the list.
return BenchmarkCatalog.Run(args);
