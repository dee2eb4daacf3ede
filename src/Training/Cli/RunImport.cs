using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Tracker.Shared;

namespace Tracker.Training.Cli;

/// <summary>
/// <c>tracker-train import DIR --server URL --token T</c>: uploads a run trained where no server was reachable (its
/// events.jsonl, its config from the run-started event, its checkpoint) through the ingest API, as a run logged by a
/// script. Idempotent: the batches are cut the same way every time and numbered, and DIR/.tracker-import.json remembers
/// the server's run id and how far it got, so a second import (or one after an interruption) adds nothing twice.
/// </summary>
public static class RunImport
{
    public const string EventsFile = "events.jsonl";
    public const string MarkerFile = ".tracker-import.json";
    private const int BatchPoints = 10_000;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>What the marker file holds.</summary>
    private sealed record Marker(string Server, long RunId, long AckedSeq, bool Finished);

    /// <summary>
    /// The create's idempotency key (decision 0050): the same for every import of this run's events, so a create whose
    /// answer was lost (no marker written) finds its run again instead of making a second one.
    /// </summary>
    private static string ClientKey(RunStartedEvent started) =>
        "import-" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(
            System.Text.Encoding.UTF8.GetBytes(TrainingEventJson.Serialize(started))))[..32];

    private sealed record Point(string Key, long Step, double Value, int Epoch, DateTimeOffset Time);

    /// <summary>Imports <paramref name="folder"/>; returns the exit code (0 done, 1 the server refused, 2 bad input).</summary>
    public static async Task<int> RunAsync(DirectoryInfo folder, Uri server, string? token, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var eventsPath = Path.Combine(folder.FullName, EventsFile);
        if (!File.Exists(eventsPath))
        {
            await errors.WriteLineAsync($"tracker-train: no {EventsFile} in '{folder.FullName}' (train with --out DIR writes it there).");
            return 2;
        }
        var events = new List<TrainingEvent>();
        var lineNumber = 0;
        foreach (var line in await File.ReadAllLinesAsync(eventsPath, cancellationToken))
        {
            lineNumber++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            if (!TrainingEventJson.TryDeserialize(line, out var trainingEvent, out var error))
            {
                await errors.WriteLineAsync($"tracker-train: {EventsFile} line {lineNumber}: {error}");
                return 2;
            }
            events.Add(trainingEvent);
        }
        if (events.OfType<RunStartedEvent>().LastOrDefault() is not { } started)
        {
            await errors.WriteLineAsync($"tracker-train: {EventsFile} has no run-started event, so no config to import.");
            return 2;
        }
        var config = started.Config;
        var batches = Batches(events);
        var finished = events.OfType<RunFinishedEvent>().LastOrDefault();

        using var http = new HttpClient { BaseAddress = server, Timeout = TimeSpan.FromMinutes(2) };
        if (!string.IsNullOrEmpty(token)) http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        var markerPath = Path.Combine(folder.FullName, MarkerFile);
        var serverName = server.ToString().TrimEnd('/');
        var marker = File.Exists(markerPath) ? JsonSerializer.Deserialize<Marker>(await File.ReadAllTextAsync(markerPath, cancellationToken), Json) : null;
        if (marker is not null && marker.Server != serverName) marker = null; // imported into another server: a run of its own here
        if (marker is { Finished: true })
        {
            await output.WriteLineAsync($"Already imported as {serverName}/runs/{marker.RunId}; nothing to do.");
            return 0;
        }
        try
        {
            if (marker is null)
            {
                var request = new JsonObject
                {
                    ["name"] = config.Name, ["project"] = config.Project, ["tags"] = new JsonArray([.. config.Tags.Select(t => JsonValue.Create(t))]),
                    ["config"] = JsonNode.Parse(RunConfigJson.Serialize(config)),
                    ["clientKey"] = ClientKey(started),
                };
                var created = await SendAsync(http, HttpMethod.Post, "api/runs/external", Content(request.ToJsonString()), cancellationToken);
                marker = new Marker(serverName, created!["id"]!.GetValue<long>(), 0, false);
                await SaveAsync(markerPath, marker, cancellationToken);
            }
            for (var seq = marker.AckedSeq + 1; seq <= batches.Count; seq++)
            {
                var body = JsonSerializer.Serialize(new { seq, points = batches[(int)seq - 1] }, Json);
                await SendAsync(http, HttpMethod.Post, $"api/runs/{marker.RunId}/points", Content(body), cancellationToken, alreadyStoredSeq: seq);
                marker = marker with { AckedSeq = seq };
                await SaveAsync(markerPath, marker, cancellationToken);
            }
            var checkpoint = Path.Combine(folder.FullName, Engine.Checkpoint.FileName);
            if (File.Exists(checkpoint))
            {
                try
                {
                    await using var file = File.OpenRead(checkpoint);
                    await SendAsync(http, HttpMethod.Put, $"api/runs/{marker.RunId}/files/{Engine.Checkpoint.FileName}", new StreamContent(file), cancellationToken);
                }
                catch (ImportRefusedException refused) when (refused.Status == HttpStatusCode.RequestEntityTooLarge)
                {
                    await errors.WriteLineAsync($"tracker-train: the checkpoint is not uploaded: {refused.Message}");
                }
            }
            var status = finished?.Status switch
            {
                RunOutcome.Succeeded => "succeeded",
                RunOutcome.Cancelled => "cancelled",
                RunOutcome.Diverged => "diverged",
                _ => "failed",
            };
            var error = finished is null ? "The events end before the run finished (imported from an interrupted run)." : finished.Summary.Error;
            await SendAsync(http, HttpMethod.Post, $"api/runs/{marker.RunId}/finish",
                Content(JsonSerializer.Serialize(new { status, error }, Json)), cancellationToken);
            await SaveAsync(markerPath, marker with { Finished = true }, cancellationToken);
            await output.WriteLineAsync($"Imported {batches.Sum(b => b.Count)} points as {serverName}/runs/{marker.RunId} ({status}).");
            return 0;
        }
        catch (ImportRefusedException refused)
        {
            await errors.WriteLineAsync($"tracker-train: the server refused the import: {refused.Message}");
            return 1;
        }
        catch (HttpRequestException unreachable)
        {
            await errors.WriteLineAsync($"tracker-train: {serverName} cannot be reached ({unreachable.Message}); run the import again later, it resumes.");
            return 1;
        }
    }

    /// <summary>
    /// The events' metric points, each (key, step) once (the last reported: an epoch event repeats its step's metrics,
    /// and a resumed run reports again what followed its checkpoint), in batches of <see cref="BatchPoints"/>, always cut
    /// the same way so a resumed import resends identical batches.
    /// </summary>
    private static List<List<Point>> Batches(List<TrainingEvent> events)
    {
        var points = new Dictionary<(string Key, long Step), Point>();
        foreach (var trainingEvent in events)
        {
            if (trainingEvent is not IStepMetrics measured) continue;
            foreach (var (key, value) in measured.Metrics)
                points[(key, measured.Step)] = new Point(key, measured.Step, value, measured.Epoch, trainingEvent.Time);
        }
        return points.Values.OrderBy(p => p.Step).ThenBy(p => p.Key, StringComparer.Ordinal).Chunk(BatchPoints).Select(c => c.ToList()).ToList();
    }

    private static StringContent Content(string json) => new(json, Encoding.UTF8, "application/json");

    private static async Task SaveAsync(string path, Marker marker, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        await File.WriteAllTextAsync(partial, JsonSerializer.Serialize(marker, Json), cancellationToken);
        File.Move(partial, path, overwrite: true);
    }

    /// <summary>The answer's JSON; a 409 naming an expected sequence past <paramref name="alreadyStoredSeq"/> means the server has that batch.</summary>
    private static async Task<JsonNode?> SendAsync(HttpClient http, HttpMethod method, string path, HttpContent content, CancellationToken cancellationToken,
        long? alreadyStoredSeq = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        using var response = await http.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (response.IsSuccessStatusCode) return text.Length == 0 ? null : JsonNode.Parse(text);
        JsonNode? problem = null;
        try
        {
            problem = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
        }
        if (response.StatusCode == HttpStatusCode.Conflict && alreadyStoredSeq is { } seq
            && problem?["expectedSeq"]?.GetValue<long>() is { } expected && expected > seq)
            return null;
        var message = problem is null ? text : string.Join(' ', new[] { problem["title"]?.GetValue<string>(), problem["detail"]?.GetValue<string>() }
            .Concat(problem["errors"]?.AsObject().Select(e => $"{e.Key}: {string.Join(' ', e.Value!.AsArray().Select(m => m!.GetValue<string>()))}") ?? [])
            .Where(s => !string.IsNullOrEmpty(s)));
        throw new ImportRefusedException(response.StatusCode, $"HTTP {(int)response.StatusCode}: {message}");
    }

    private sealed class ImportRefusedException(HttpStatusCode status, string message) : Exception(message)
    {
        public HttpStatusCode Status { get; } = status;
    }
}
