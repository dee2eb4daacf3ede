using System.CommandLine;
using Tracker.Shared;
using Tracker.Training.Engine;

// tracker-train: `train --config run.json [--out DIR]` streams one JSON event per line on stdout (and appends them to
// DIR/events.jsonl, which `import DIR --server URL --token T` uploads later); diagnostics go to stderr.
// Exit codes: 0 succeeded, 1 failed or diverged (import: the server refused or cannot be reached), 2 invalid input, 130 cancelled.

var configOption = new Option<FileInfo>("--config") { Description = "Run config (RunConfig JSON, camelCase).", Required = true };
var outOption = new Option<DirectoryInfo?>("--out") { Description = "Output folder for the checkpoint; an existing checkpoint there is resumed. Default: runs/<name>." };
var runIdOption = new Option<long?>("--run-id") { Description = "Id echoed in the run-started event." };
var stepEveryOption = new Option<int?>("--step-every") { Description = "Emit a step event every N optimizer steps (0 = none); default: the config's stepEventEvery." };
var systemEveryOption = new Option<double>("--system-metrics-every") { Description = "Report CPU, memory and GPU use (sys/... keys) every N seconds (0 = none).", DefaultValueFactory = _ => 10 };
var threadsOption = new Option<int?>("--threads") { Description = "libtorch intra-op CPU threads (default 1: matrix products use OpenBLAS's own threads)." };
var noGraphsOption = new Option<bool>("--no-cuda-graphs") { Description = "On a GPU, run every training step eagerly instead of replaying CUDA graphs." };
var lastSeqOption = new Option<long?>("--last-seq") { Description = "The last event sequence number already stored; events go on from the next (default: the checkpoint's)." };
var stageOption = new Option<bool>("--stage-checkpoints") { Description = "Write each epoch's checkpoint beside the resume point; whoever stores the events promotes it." };
var stdinCancelOption = new Option<bool>("--cancel-on-stdin-close") { Description = "Cancel the run when standard input closes (how a supervising worker asks it to stop)." };
var initWeightsOption = new Option<FileInfo?>("--init-weights") { Description = "Start from the weights of another run's checkpoint.bin (fine-tuning)." };

var train = new Command("train", "Train one run and stream its events as JSON lines.")
{
    configOption, outOption, runIdOption, stepEveryOption, systemEveryOption, threadsOption, noGraphsOption, lastSeqOption, stageOption, stdinCancelOption, initWeightsOption,
};
train.SetAction((parse, cancellation) =>
{
    if (!TryReadConfig(parse.GetValue(configOption)!, out var config)) return Task.FromResult(2);
    var output = parse.GetValue(outOption)?.FullName ?? Path.Combine("runs", SafeFolderName(config.Name));
    var options = new TrainerOptions
    {
        OutputDirectory = output,
        RunId = parse.GetValue(runIdOption),
        StepEventEvery = parse.GetValue(stepEveryOption),
        SystemMetricsEvery = TimeSpan.FromSeconds(parse.GetValue(systemEveryOption)),
        Threads = parse.GetValue(threadsOption),
        CudaGraphs = !parse.GetValue(noGraphsOption),
        LastSequence = parse.GetValue(lastSeqOption),
        StageCheckpoints = parse.GetValue(stageOption),
        InitialWeightsPath = parse.GetValue(initWeightsOption)?.FullName,
    };
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
    if (parse.GetValue(stdinCancelOption))
        new Thread(() =>
        {
            // Blocks until the supervisor closes our stdin (or dies): then training stops at the next step.
            while (Console.In.ReadLine() is not null) { }
            try { stop.Cancel(); } catch (ObjectDisposedException) { /* the run had already ended */ }
        }) { IsBackground = true, Name = "stdin-cancel" }.Start();
    var stdout = Console.Out;
    Directory.CreateDirectory(output);
    // The same lines in the output folder, so a run trained where no server is reachable can be imported later.
    using var eventsFile = new StreamWriter(Path.Combine(output, Tracker.Training.Cli.RunImport.EventsFile), append: true);
    var finished = new Trainer(config, options, e =>
    {
        var line = TrainingEventJson.Serialize(e);
        stdout.WriteLine(line);
        eventsFile.WriteLine(line);
        eventsFile.Flush();
    }).Run(stop.Token);
    if (finished.Summary.Error is { } error) Console.Error.WriteLine($"tracker-train: run failed: {error}");
    return Task.FromResult(finished.Status switch
    {
        RunOutcome.Succeeded => 0,
        RunOutcome.Cancelled => 130,
        _ => 1,
    });
});

var validate = new Command("validate", "Check a run config and list every field error.") { configOption };
validate.SetAction(parse =>
{
    if (!TryReadConfig(parse.GetValue(configOption)!, out _)) return 2;
    Console.WriteLine("valid");
    return 0;
});

var folderArgument = new Argument<DirectoryInfo>("DIR") { Description = "A train --out folder: its events.jsonl and checkpoint.bin." };
var serverOption = new Option<string?>("--server") { Description = "The Tracker to import into, e.g. http://127.0.0.1:5080 (default: TRACKER_SERVER)." };
var tokenOption = new Option<string?>("--token") { Description = "A write token (default: TRACKER_TOKEN)." };
var import = new Command("import", "Upload a run trained offline (its events, config and checkpoint); importing twice adds nothing.")
{
    folderArgument, serverOption, tokenOption,
};
import.SetAction(async (parse, cancellation) =>
{
    var named = parse.GetValue(serverOption) ?? Environment.GetEnvironmentVariable("TRACKER_SERVER");
    if (!Uri.TryCreate(named, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
    {
        Console.Error.WriteLine(named is null
            ? "tracker-train: name the server with --server URL or TRACKER_SERVER."
            : $"tracker-train: '{named}' is not a server URL such as http://127.0.0.1:5080.");
        return 2;
    }
    return await Tracker.Training.Cli.RunImport.RunAsync(parse.GetValue(folderArgument)!, server,
        parse.GetValue(tokenOption) ?? Environment.GetEnvironmentVariable("TRACKER_TOKEN"), Console.Out, Console.Error, cancellation);
});

var root = new RootCommand("tracker-train: the Tracker training engine (libtorch) from the command line.") { train, validate, import };
return await root.Parse(args).InvokeAsync();

static bool TryReadConfig(FileInfo file, out RunConfig config)
{
    config = new RunConfig();
    if (!file.Exists)
    {
        Console.Error.WriteLine($"tracker-train: no config file at '{file.FullName}'.");
        return false;
    }
    if (!RunConfigJson.TryParse(File.ReadAllText(file.FullName), out var parsed, out var parseError))
    {
        Console.Error.WriteLine($"tracker-train: {parseError}");
        return false;
    }
    var errors = RunConfigValidator.Validate(parsed!);
    foreach (var error in errors) Console.Error.WriteLine($"tracker-train: {error.Field}: {error.Message}");
    config = parsed!;
    return errors.Count == 0;
}

static string SafeFolderName(string name) =>
    string.Concat(name.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '-'));
