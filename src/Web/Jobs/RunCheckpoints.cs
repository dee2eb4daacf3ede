using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Tracker.Training.Engine;

namespace Tracker.Web.Jobs;

/// <summary>
/// Where the workers keep each run's checkpoint: <c>{RunsDirectory}/{runId}/checkpoint.bin</c>, overwritten every epoch,
/// so a finished run's file holds its final weights. Fine-tuning reads a parent's weights from here.
/// </summary>
public sealed class RunCheckpoints(IOptions<JobsOptions> options, IHostEnvironment environment)
{
    public string DirectoryOf(long runId) =>
        Path.Combine(options.Value.ResolveRunsDirectory(environment.ContentRootPath), runId.ToString(CultureInfo.InvariantCulture));

    public string PathOf(long runId) => Path.Combine(DirectoryOf(runId), Checkpoint.FileName);

    public bool Exists(long runId) => File.Exists(PathOf(runId));

    /// <summary>
    /// The parent's final checkpoint for a fine-tune config's <c>parentRunId</c>, or why there is none.
    /// The run's status is checked at submit; here only the file can be missing (deleted, or another machine's runs folder).
    /// </summary>
    public (string? Path, string? Problem) ResolveParent(string parentRunId)
    {
        if (!long.TryParse(parentRunId, NumberStyles.None, CultureInfo.InvariantCulture, out var parentId))
            return (null, $"The parent run '{parentRunId}' is not a run id of this tracker.");
        var path = PathOf(parentId);
        return File.Exists(path) ? (path, null) : (null, $"The parent run {parentId} has no checkpoint at '{path}' to fine-tune from.");
    }

    /// <summary>
    /// Takes a run's final checkpoint as a remote worker uploads it: written beside the run's checkpoint, checked against
    /// the SHA-256 the worker sent, and only then moved over it (a failed or broken upload leaves the old file alone).
    /// Returns the bytes stored, or why the upload was refused.
    /// </summary>
    public async Task<(long Bytes, string? Problem)> StoreUploadAsync(long runId, Stream content, string sha256, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        var directory = DirectoryOf(runId);
        Directory.CreateDirectory(directory);
        var upload = Path.Combine(directory, $"{Checkpoint.FileName}.upload-{Guid.NewGuid():N}");
        try
        {
            long bytes;
            string received;
            await using (var file = File.Create(upload))
            using (var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    hash.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                }
                bytes = file.Length;
                received = Convert.ToHexStringLower(hash.GetHashAndReset());
            }
            if (!string.Equals(received, sha256, StringComparison.OrdinalIgnoreCase))
                return (bytes, $"The {bytes} bytes received have the SHA-256 {received}, not {sha256.ToLowerInvariant()} as sent: send the checkpoint again.");
            File.Move(upload, PathOf(runId), overwrite: true);
            return (bytes, null);
        }
        finally
        {
            File.Delete(upload);
        }
    }
}
