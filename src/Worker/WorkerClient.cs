using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tracker.Shared;
using Tracker.Training.Engine;

namespace Tracker.Worker;

/// <summary>The server could not be reached or failed (a network error, a timeout, a 5xx): try again later.</summary>
public sealed class ServerUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The server refused the call (a 4xx): retrying the same call cannot help.</summary>
public sealed class ServerRefusedException(HttpStatusCode status, string detail, long? expectedSeq) : Exception($"{(int)status}: {detail}")
{
    public HttpStatusCode Status { get; } = status;
    /// <summary>For a sequence gap: the event the server expects next.</summary>
    public long? ExpectedSeq { get; } = expectedSeq;
}

/// <summary>The worker protocol's calls (<see cref="WorkerProtocol"/>) over HTTP with a worker token.</summary>
public sealed class WorkerClient : IDisposable
{
    /// <summary>How long a checkpoint upload or download may take before it counts as broken off.</summary>
    public static readonly TimeSpan TransferTimeout = TimeSpan.FromHours(1);

    private readonly HttpMessageHandler _handler;
    private readonly HttpClient _http;
    // Checkpoints may be large: the calls' short timeout would cut them off.
    private readonly HttpClient _transfers;

    public WorkerClient(Uri server, string token, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        _handler = handler ?? new SocketsHttpHandler();
        _http = Client(_handler, server, token, timeout);
        _transfers = Client(_handler, server, token, TransferTimeout);
    }

    private static HttpClient Client(HttpMessageHandler handler, Uri server, string token, TimeSpan timeout) =>
        new(handler, disposeHandler: false) { BaseAddress = server, Timeout = timeout, DefaultRequestHeaders = { Authorization = new AuthenticationHeaderValue("Bearer", token) } };

    public Task<WorkerRegistered> RegisterAsync(WorkerRegistration registration, CancellationToken cancellationToken) =>
        PostAsync<WorkerRegistered>(WorkerProtocol.Register, JsonContent.Create(registration, options: WorkerProtocol.JsonOptions), cancellationToken);

    public Task<WorkerHeartbeatAnswer> HeartbeatAsync(long workerId, CancellationToken cancellationToken) =>
        PostAsync<WorkerHeartbeatAnswer>(WorkerProtocol.Heartbeat(workerId), null, cancellationToken);

    public Task<ClaimAnswer> ClaimAsync(long workerId, ClaimRequest request, CancellationToken cancellationToken) =>
        PostAsync<ClaimAnswer>(WorkerProtocol.Claim(workerId), JsonContent.Create(request, options: WorkerProtocol.JsonOptions), cancellationToken);

    public Task<RunStartAnswer> StartAsync(long workerId, long runId, RunStartRequest request, CancellationToken cancellationToken) =>
        PostAsync<RunStartAnswer>(WorkerProtocol.Start(workerId, runId), JsonContent.Create(request, options: WorkerProtocol.JsonOptions), cancellationToken);

    /// <summary>Sends the events as the JSON lines the outbox holds, without parsing them again.</summary>
    public Task<EventsAck> PostEventsAsync(long workerId, long runId, IReadOnlyList<PendingEvent> events, CancellationToken cancellationToken)
    {
        var body = new StringBuilder("{\"events\":[");
        for (var i = 0; i < events.Count; i++)
        {
            if (i > 0) body.Append(',');
            body.Append(events[i].Json);
        }
        body.Append("]}");
        return PostAsync<EventsAck>(WorkerProtocol.Events(workerId, runId), new StringContent(body.ToString(), Encoding.UTF8, "application/json"), cancellationToken);
    }

    public Task<RunHeartbeatAnswer> RunHeartbeatAsync(long workerId, long runId, CancellationToken cancellationToken) =>
        PostAsync<RunHeartbeatAnswer>(WorkerProtocol.RunHeartbeat(workerId, runId), null, cancellationToken);

    public Task ReleaseAsync(long workerId, long runId, string? reason, CancellationToken cancellationToken) =>
        PostAsync<JsonNode?>(WorkerProtocol.Release(workerId, runId), JsonContent.Create(new ReleaseRequest(reason), options: WorkerProtocol.JsonOptions), cancellationToken);

    /// <summary>The finished event is written with the events' own JSON settings, as the server reads it.</summary>
    public Task<CompleteAnswer> CompleteAsync(long workerId, long runId, CompleteRequest request, CancellationToken cancellationToken) =>
        PostAsync<CompleteAnswer>(WorkerProtocol.Complete(workerId, runId),
            new StringContent(JsonSerializer.Serialize(request, TrackerJson.Options), Encoding.UTF8, "application/json"), cancellationToken);

    /// <summary>Uploads a run's final checkpoint with its SHA-256, which the server checks before it keeps the file.</summary>
    public async Task<CheckpointStored> UploadCheckpointAsync(long workerId, long runId, string path, CancellationToken cancellationToken)
    {
        var sha256 = await Checkpoint.Sha256Async(path, cancellationToken);
        await using var file = File.OpenRead(path);
        using var request = new HttpRequestMessage(HttpMethod.Put, WorkerProtocol.Checkpoint(workerId, runId)) { Content = new StreamContent(file) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        request.Headers.Add(WorkerProtocol.CheckpointSha256Header, sha256);
        using var response = await SendAsync(_transfers, request, cancellationToken);
        return await ReadAnswerAsync<CheckpointStored>(response, request, cancellationToken);
    }

    /// <summary>
    /// Downloads the checkpoint a fine-tune run starts from into <paramref name="destination"/>, which it replaces only
    /// once the bytes have the SHA-256 the server sent (a broken download is <see cref="ServerUnavailableException"/>: try again).
    /// </summary>
    public async Task DownloadParentCheckpointAsync(long workerId, long runId, string destination, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, WorkerProtocol.ParentCheckpoint(workerId, runId));
        using var response = await SendAsync(_transfers, request, cancellationToken, HttpCompletionOption.ResponseHeadersRead);
        if (!response.IsSuccessStatusCode) await ReadAnswerAsync<JsonNode?>(response, request, cancellationToken); // throws why
        var expected = response.Headers.TryGetValues(WorkerProtocol.CheckpointSha256Header, out var values) ? values.FirstOrDefault() : null;
        var download = destination + ".download";
        try
        {
            await using (var file = File.Create(download))
            {
                try
                {
                    await response.Content.CopyToAsync(file, cancellationToken);
                }
                catch (HttpRequestException error)
                {
                    throw new ServerUnavailableException($"{request.RequestUri}: the download broke off: {error.Message}", error);
                }
            }
            var received = await Checkpoint.Sha256Async(download, cancellationToken);
            if (!string.Equals(received, expected, StringComparison.OrdinalIgnoreCase))
                throw new ServerUnavailableException($"{request.RequestUri}: the checkpoint received has the SHA-256 {received}, not {expected ?? "(none sent)"}");
            File.Move(download, destination, overwrite: true);
        }
        finally
        {
            File.Delete(download);
        }
    }

    private async Task<T> PostAsync<T>(string path, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        using var response = await SendAsync(_http, request, cancellationToken);
        return await ReadAnswerAsync<T>(response, request, cancellationToken);
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request, CancellationToken cancellationToken,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        try
        {
            return await http.SendAsync(request, completion, cancellationToken);
        }
        catch (HttpRequestException error)
        {
            throw new ServerUnavailableException($"{request.RequestUri}: {error.Message}", error);
        }
        catch (Exception error) when (error is System.Net.Sockets.SocketException or IOException)
        {
            // A connection cut just as it opened can surface unwrapped (seen: SocketException 107 from the handler's connect).
            throw new ServerUnavailableException($"{request.RequestUri}: {error.Message}", error);
        }
        catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnavailableException($"{request.RequestUri}: no answer within {http.Timeout.TotalSeconds:0} s", error);
        }
    }

    /// <summary>The answer's JSON body; a 5xx is <see cref="ServerUnavailableException"/>, another failure <see cref="ServerRefusedException"/>.</summary>
    private static async Task<T> ReadAnswerAsync<T>(HttpResponseMessage response, HttpRequestMessage request, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.Content.ReadAsStringAsync(cancellationToken);
        }
        catch (HttpRequestException error)
        {
            throw new ServerUnavailableException($"{request.RequestUri}: the answer broke off: {error.Message}", error);
        }
        if ((int)response.StatusCode >= 500) throw new ServerUnavailableException($"{request.RequestUri}: {(int)response.StatusCode} {Shorten(text)}");
        if (!response.IsSuccessStatusCode) throw Refused(response.StatusCode, text);
        if (response.StatusCode == HttpStatusCode.NoContent || text.Length == 0) return default!;
        return JsonSerializer.Deserialize<T>(text, WorkerProtocol.JsonOptions)
            ?? throw new ServerUnavailableException($"{request.RequestUri}: the server answered null");
    }

    private static ServerRefusedException Refused(HttpStatusCode status, string text)
    {
        string detail = Shorten(text);
        long? expected = null;
        try
        {
            if (JsonNode.Parse(text) is JsonObject problem)
            {
                detail = $"{problem["title"]} {problem["detail"]}".Trim();
                if (problem["errors"] is JsonObject errors) detail += " " + errors.ToJsonString();
                expected = problem["expectedSeq"]?.GetValue<long>();
            }
        }
        catch (JsonException)
        {
            // not a problem document: keep the text
        }
        return new ServerRefusedException(status, detail, expected);
    }

    private static string Shorten(string text) => text.Length <= 300 ? text : text[..300] + "...";

    public void Dispose()
    {
        _http.Dispose();
        _transfers.Dispose();
        _handler.Dispose();
    }
}
