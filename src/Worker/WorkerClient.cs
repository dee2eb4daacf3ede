using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tracker.Shared;

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
    private readonly HttpClient _http;

    public WorkerClient(Uri server, string token, TimeSpan timeout, HttpMessageHandler? handler = null)
    {
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.BaseAddress = server;
        _http.Timeout = timeout;
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
    }

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

    private async Task<T> PostAsync<T>(string path, HttpContent? content, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.PostAsync(path, content, cancellationToken);
        }
        catch (HttpRequestException error)
        {
            throw new ServerUnavailableException($"{path}: {error.Message}", error);
        }
        catch (TaskCanceledException error) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ServerUnavailableException($"{path}: no answer within {_http.Timeout.TotalSeconds:0} s", error);
        }
        using (response)
        {
            string text;
            try
            {
                text = await response.Content.ReadAsStringAsync(cancellationToken);
            }
            catch (HttpRequestException error)
            {
                throw new ServerUnavailableException($"{path}: the answer broke off: {error.Message}", error);
            }
            if ((int)response.StatusCode >= 500) throw new ServerUnavailableException($"{path}: {(int)response.StatusCode} {Shorten(text)}");
            if (!response.IsSuccessStatusCode) throw Refused(response.StatusCode, text);
            if (response.StatusCode == HttpStatusCode.NoContent || text.Length == 0) return default!;
            return JsonSerializer.Deserialize<T>(text, WorkerProtocol.JsonOptions)
                ?? throw new ServerUnavailableException($"{path}: the server answered null");
        }
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

    public void Dispose() => _http.Dispose();
}
