using System.Runtime.CompilerServices;

// The data tests shrink ImageDataset's chunk size to check sets spanning many chunks without
// allocating gigabytes. (The attribute may be repeated elsewhere; duplicates are allowed.)
[assembly: InternalsVisibleTo("Tracker.Training.Tests")]
