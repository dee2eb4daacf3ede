using System.Text;
using System.Text.Json;
using Tracker.Training.Engine.Analysis;
using Tracker.Training.Torch;
using Tracker.Training.Torch.Modules;
using Tracker.Training.Torch.Optim;

namespace Tracker.Training.Engine;

/// <summary>What a checkpoint records besides tensors: where the run stands and what it has seen.</summary>
public sealed record CheckpointMeta
{
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;
    public required int Epoch { get; init; }
    public required long Step { get; init; }
    public double? EarlyStoppingBest { get; init; }
    public int? EarlyStoppingBestEpoch { get; init; }
    public int EarlyStoppingWait { get; init; }
    public Dictionary<string, double> BestMetrics { get; init; } = [];
    public int? BestEpoch { get; init; }
    public Dictionary<string, double> LastMetrics { get; init; } = [];
    /// <summary>The sequence number of the checkpoint's own event; 0 in checkpoints written before events had one.</summary>
    public long Sequence { get; init; }
}

/// <summary>
/// One file holds everything a run needs to continue exactly: model weights and buffers, optimizer
/// state and step, libtorch's random state, the initial weights (distance from init), and the
/// metadata as JSON. It is written to a temporary file and renamed, so it is always whole.
/// </summary>
public static class Checkpoint
{
    public const string FileName = "checkpoint.bin";

    private const string StagedPrefix = "checkpoint.epoch-";

    /// <summary>Where an epoch's checkpoint waits until its events are stored (<see cref="TrainerOptions.StageCheckpoints"/>).</summary>
    public static string StagedPath(string directory, int epoch) =>
        Path.Combine(directory, $"{StagedPrefix}{epoch.ToString(System.Globalization.CultureInfo.InvariantCulture)}.bin");

    /// <summary>Makes a staged checkpoint the resume point (an atomic rename) and drops the older staged ones.</summary>
    public static void Promote(string stagedPath)
    {
        var directory = Path.GetDirectoryName(stagedPath) ?? throw new ArgumentException($"'{stagedPath}' has no folder.", nameof(stagedPath));
        if (!File.Exists(stagedPath)) return; // promoted already: a resent event
        File.Move(stagedPath, Path.Combine(directory, FileName), overwrite: true);
    }

    /// <summary>Deletes checkpoints that were never promoted: their events may not all be stored, so no run resumes from them.</summary>
    public static void DiscardStaged(string directory)
    {
        if (!Directory.Exists(directory)) return;
        foreach (var staged in Directory.EnumerateFiles(directory, StagedPrefix + "*")) File.Delete(staged);
    }

    private const string ModelPrefix = "model.", OptimizerPrefix = "optim.", InitialPrefix = "init.";
    private const string RngKey = "rng", MetaKey = "meta";

    public static void Save(string path, Module model, Optimizer optimizer, GradientAnalysis analysis, CheckpointMeta meta)
    {
        using var scope = torch.NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>();
        foreach (var (name, tensor) in model.state_dict()) tensors[ModelPrefix + name] = tensor;
        foreach (var (name, tensor) in optimizer.StateTensors()) tensors[OptimizerPrefix + name] = tensor;
        for (var i = 0; i < analysis.InitialWeights.Count; i++) tensors[InitialPrefix + i] = analysis.InitialWeights[i];
        tensors[RngKey] = torch.get_rng_state();
        tensors[MetaKey] = torch.tensor(JsonSerializer.SerializeToUtf8Bytes(meta));
        TensorFile.Save(path, tensors);
    }

    /// <summary>Restores a checkpoint into the given objects and returns its metadata.</summary>
    public static CheckpointMeta Restore(string path, Module model, Optimizer optimizer, GradientAnalysis analysis) =>
        TensorFile.Read(path, tensors =>
        {
            var meta = Meta(tensors, path);
            model.load_state_dict(WithPrefix(tensors, ModelPrefix));
            optimizer.LoadStateTensors(WithPrefix(tensors, OptimizerPrefix));
            optimizer.StepCount = meta.Step;
            var initial = WithPrefix(tensors, InitialPrefix);
            analysis.RestoreInitialWeights(Enumerable.Range(0, initial.Count).Select(i => initial[i.ToString()]).ToList());
            torch.set_rng_state(Required(tensors, RngKey, path));
            return meta;
        });

    /// <summary>Only the metadata of a checkpoint: where a resumed run will continue, without building its model.</summary>
    /// <summary>The SHA-256 of a checkpoint file in lowercase hex: how a server and a remote worker check a copy they received.</summary>
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken = default)
    {
        await using var file = File.OpenRead(path);
        return Convert.ToHexStringLower(await System.Security.Cryptography.SHA256.HashDataAsync(file, cancellationToken));
    }

    public static CheckpointMeta ReadMeta(string path) => TensorFile.Read(path, tensors => Meta(tensors, path));

    /// <summary>Loads only the model's weights (fine-tuning from another run's checkpoint).</summary>
    public static void RestoreWeights(string path, Module model, bool strict = true) =>
        TensorFile.Read(path, tensors => model.load_state_dict(WithPrefix(tensors, ModelPrefix), strict));

    /// <summary>Hands the model's saved tensors (by state-dict name, on the CPU) to <paramref name="use"/>, after checking the file is a checkpoint.</summary>
    public static T ReadModelTensors<T>(string path, Func<IReadOnlyDictionary<string, Tensor>, T> use)
    {
        ArgumentNullException.ThrowIfNull(use);
        return TensorFile.Read(path, tensors =>
        {
            Meta(tensors, path);
            return use(WithPrefix(tensors, ModelPrefix));
        });
    }

    private static CheckpointMeta Meta(IReadOnlyDictionary<string, Tensor> tensors, string path)
    {
        var meta = JsonSerializer.Deserialize<CheckpointMeta>(Encoding.UTF8.GetString(Required(tensors, MetaKey, path).ToArray<byte>()))
            ?? throw new InvalidDataException($"'{path}' has empty metadata.");
        return meta.Version == CheckpointMeta.CurrentVersion
            ? meta
            : throw new InvalidDataException($"'{path}' is checkpoint version {meta.Version}; this build reads {CheckpointMeta.CurrentVersion}.");
    }

    private static Tensor Required(IReadOnlyDictionary<string, Tensor> tensors, string key, string path) =>
        tensors.TryGetValue(key, out var tensor) ? tensor : throw new InvalidDataException($"'{path}' is not a training checkpoint (no '{key}').");

    private static Dictionary<string, Tensor> WithPrefix(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(t => t.Key.StartsWith(prefix, StringComparison.Ordinal)).ToDictionary(t => t.Key[prefix.Length..], t => t.Value);
}
