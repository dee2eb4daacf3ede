using System.CommandLine;
using Tracker.Training.Processes;
using Tracker.Worker;

// tracker-worker --server URL --token TOKEN: trains a Tracker server's queued runs on this machine, each in a child
// tracker-train process, with a durable LiteDB outbox for their events (decision 0065). Diagnostics go to stderr.
// Exit codes: 0 stopped (Ctrl+C / SIGTERM: runs in progress go back to the queue), 2 invalid input.

var serverOption = new Option<string?>("--server") { Description = "The Tracker server, e.g. http://tracker.lab:5080 (default: TRACKER_SERVER)." };
var tokenOption = new Option<string?>("--token") { Description = "A token of scope worker (default: TRACKER_TOKEN)." };
var nameOption = new Option<string?>("--name") { Description = "This worker's name on the server, unique there (default: the machine name)." };
var slotsOption = new Option<int>("--slots") { Description = "Runs trained at once.", DefaultValueFactory = _ => 1 };
var devicesOption = new Option<string>("--devices") { Description = "What this machine trains on, comma-separated, as the server lists it (e.g. cpu or cuda:0,cuda:1).", DefaultValueFactory = _ => "cpu" };
var outboxOption = new Option<FileInfo?>("--outbox") { Description = "The LiteDB outbox file (default: <work>/outbox.db)." };
var outboxMbOption = new Option<double>("--outbox-max-mb") { Description = "Unacknowledged events kept while the server is away; when full, training waits.", DefaultValueFactory = _ => 256 };
var workOption = new Option<DirectoryInfo?>("--work") { Description = "Folder for each run's config and checkpoints (default: ./tracker-worker)." };
var engineOption = new Option<FileInfo?>("--engine") { Description = "tracker-train.dll (default: the one beside tracker-worker)." };
var graceOption = new Option<double>("--cancel-grace") { Description = "Seconds a cancelled run may take to stop before it is killed.", DefaultValueFactory = _ => 10 };
var pollOption = new Option<double>("--poll") { Description = "Seconds between claims while the queue is empty.", DefaultValueFactory = _ => 2 };
var slotsPerGpuOption = new Option<int>("--slots-per-gpu") { Description = "Runs that share one GPU at once (cuda devices); the server's scheduler places shared runs on the least-loaded GPU and gives exclusive runs a whole one.", DefaultValueFactory = _ => 1 };
var slurmOption = new Option<bool>("--slurm") { Description = "Train each claimed run as a Slurm batch job (sbatch) instead of a child process here; --work must be on storage the compute nodes share. --slots is then the number of jobs at once." };
var partitionOption = new Option<string?>("--slurm-partition") { Description = "sbatch --partition for the runs' jobs (default: the cluster's default)." };
var gresOption = new Option<string>("--slurm-gres") { Description = "sbatch --gres for runs that train on a GPU (device not cpu); empty for none.", DefaultValueFactory = _ => "gpu:1" };
var minutesOption = new Option<double>("--slurm-minutes-per-epoch") { Description = "A job's time limit: the run's planned epochs times this, plus 5 minutes.", DefaultValueFactory = _ => 10 };
var sbatchOption = new Option<string[]>("--sbatch-arg") { Description = "One more sbatch option for every job (repeatable), e.g. --sbatch-arg=--account=lab.", DefaultValueFactory = _ => [] };

var root = new RootCommand("tracker-worker: trains a Tracker server's queued runs on this machine.")
{
    serverOption, tokenOption, nameOption, slotsOption, devicesOption, outboxOption, outboxMbOption, workOption, engineOption, graceOption, pollOption,
    slotsPerGpuOption, slurmOption, partitionOption, gresOption, minutesOption, sbatchOption,
};
root.SetAction(async (parse, cancellation) =>
{
    var named = parse.GetValue(serverOption) ?? Environment.GetEnvironmentVariable("TRACKER_SERVER");
    if (!Uri.TryCreate(named, UriKind.Absolute, out var server) || server.Scheme is not ("http" or "https"))
    {
        Console.Error.WriteLine(named is null
            ? "tracker-worker: name the server with --server URL or TRACKER_SERVER."
            : $"tracker-worker: '{named}' is not a server URL such as http://127.0.0.1:5080.");
        return 2;
    }
    var token = parse.GetValue(tokenOption) ?? Environment.GetEnvironmentVariable("TRACKER_TOKEN");
    if (string.IsNullOrWhiteSpace(token))
    {
        Console.Error.WriteLine("tracker-worker: give a worker token with --token or TRACKER_TOKEN (make one on the server's tokens page, scope worker).");
        return 2;
    }
    var slots = parse.GetValue(slotsOption);
    if (slots is < 1 or > 256)
    {
        Console.Error.WriteLine("tracker-worker: --slots is 1 to 256.");
        return 2;
    }
    var slotsPerGpu = parse.GetValue(slotsPerGpuOption);
    if (slotsPerGpu is < 1 or > 64)
    {
        Console.Error.WriteLine("tracker-worker: --slots-per-gpu is 1 to 64.");
        return 2;
    }
    var devices = parse.GetValue(devicesOption)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    // On GPUs the slots are per GPU; --slots counts the CPU's (or a Slurm worker's jobs).
    var gpus = devices.Count(d => d.StartsWith("cuda", StringComparison.Ordinal));
    if (gpus > 0 && parse.GetValue(slurmOption) is false) slots = gpus * slotsPerGpu + (devices.Length - gpus) * slots;
    var outboxMb = parse.GetValue(outboxMbOption);
    if (outboxMb <= 0)
    {
        Console.Error.WriteLine("tracker-worker: --outbox-max-mb must be above 0.");
        return 2;
    }
    var minutesPerEpoch = parse.GetValue(minutesOption);
    if (!(minutesPerEpoch > 0))
    {
        Console.Error.WriteLine("tracker-worker: --slurm-minutes-per-epoch must be above 0.");
        return 2;
    }
    var slurm = parse.GetValue(slurmOption)
        ? new Tracker.Worker.Slurm.SlurmSettings(parse.GetValue(partitionOption), parse.GetValue(gresOption) ?? "", minutesPerEpoch, parse.GetValue(sbatchOption) ?? [])
        : null;
    var work = parse.GetValue(workOption)?.FullName ?? Path.GetFullPath("tracker-worker");
    Directory.CreateDirectory(work);
    var engine = parse.GetValue(engineOption)?.FullName ?? TrainingProcess.DefaultEnginePath;
    var settings = new WorkerSettings(
        server, token, parse.GetValue(nameOption) ?? Environment.MachineName, slots,
        devices,
        parse.GetValue(outboxOption)?.FullName ?? Path.Combine(work, "outbox.db"), (long)(outboxMb * 1024 * 1024), work, engine,
        parse.GetValue(graceOption), parse.GetValue(pollOption), Slurm: slurm, SlotsPerGpu: slotsPerGpu);
    using var outbox = new Outbox(settings.OutboxPath, settings.OutboxMaxBytes);
    using var client = new WorkerClient(server, token, TimeSpan.FromSeconds(settings.RequestTimeoutSeconds));
    await new RemoteWorker(settings, client, outbox, Console.Error).RunAsync(cancellation);
    return 0;
});
return await root.Parse(args).InvokeAsync();
