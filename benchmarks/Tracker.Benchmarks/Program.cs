using Tracker.Benchmarks;

// Usage: Tracker.Benchmarks <benchmark> [options]; see BenchmarkCatalog for the list. Started by tracker-worker as its
// engine in the remote-ingest benchmark, it is that benchmark's synthetic trainer instead.
return SyntheticTrainer.RunIfAsked(args) ?? BenchmarkCatalog.Run(args);
