// libtorch's random generator and the shim's live-tensor counter are process-wide: tests that
// seed, draw or count handles would see each other's work if classes ran in parallel.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
