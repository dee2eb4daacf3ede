using Microsoft.EntityFrameworkCore;
using Tracker.Web.Data;
using Tracker.Web.Data.Configuration;

namespace Tracker.Web.Features.Runs;

/// <summary>What an edit of a run's notes or tags did: the tags as stored now, or why nothing changed.</summary>
public sealed record AnnotationResult(bool Found, string? Error, IReadOnlyList<string> Tags)
{
    public bool Succeeded => Found && Error is null;
}

/// <summary>
/// The parts of a run people edit after submitting it: its name, archived mark, free-text notes and tags. Training never
/// writes them, so a plain read-modify-write of the row is enough.
/// </summary>
public static class RunAnnotations
{
    /// <summary>More would not fit a run list's row; the config has no such limit because it is rarely the source of many.</summary>
    public const int MaxTags = 32;

    public const int MaxTagLength = Limits.Tag;

    /// <summary>Why <paramref name="tag"/> cannot be added to <paramref name="existing"/>, or null when it can.</summary>
    public static string? ValidateTag(string? tag, IReadOnlyCollection<string> existing)
    {
        ArgumentNullException.ThrowIfNull(existing);
        var trimmed = tag?.Trim() ?? "";
        if (trimmed.Length == 0) return "A tag cannot be empty.";
        if (trimmed.Length > Limits.Tag) return $"A tag can be at most {Limits.Tag} characters long.";
        if (Tracker.Shared.InputRules.HasControlCharacter(trimmed)) return Tracker.Shared.InputRules.ControlCharacterMessage;
        if (existing.Contains(trimmed, StringComparer.Ordinal)) return $"The run already has the tag '{trimmed}'.";
        if (existing.Count >= MaxTags) return $"A run can have at most {MaxTags} tags.";
        return null;
    }

    /// <summary>Why <paramref name="name"/> cannot name a run, or null when it can: the rules a submitted config's name meets.</summary>
    public static string? ValidateName(string? name) =>
        Tracker.Shared.RunConfigValidator.Validate(new Tracker.Shared.RunConfig { Name = name?.Trim() ?? "" })
            .FirstOrDefault(e => e.Field == "name")?.Message;

    /// <summary>
    /// Renames the run (trimmed; <see cref="ValidateName"/> has passed), in its config too, so a clone or an export of the
    /// config carries the name the lists show. False for an unknown run.
    /// </summary>
    public static async Task<bool> RenameAsync(TrackerDbContext context, long runId, string name, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(name);
        var run = await context.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null) return false;
        run.Name = name.Trim();
        run.Config = run.Config with { Name = run.Name };
        await context.SaveChangesAsync(cancellationToken);
        return true;
    }

    /// <summary>Archives (keeping the first archive time) or unarchives the run; false for an unknown run.</summary>
    public static async Task<bool> SetArchivedAsync(TrackerDbContext context, long runId, bool archived, DateTime now, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        DateTime? archivedAt = archived ? now : null;
        return await context.Runs.Where(r => r.Id == runId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.ArchivedAt, r => archived ? r.ArchivedAt ?? archivedAt : null), cancellationToken) == 1;
    }

    /// <summary>Replaces the notes; blank text clears them.</summary>
    public static async Task<bool> SetNotesAsync(TrackerDbContext context, long runId, string? notes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(context);
        var stored = string.IsNullOrWhiteSpace(notes) ? null : notes;
        return await context.Runs.Where(r => r.Id == runId)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.Notes, stored), cancellationToken) == 1;
    }

    /// <summary>Adds a tag (trimmed) unless <see cref="ValidateTag"/> refuses it.</summary>
    public static Task<AnnotationResult> AddTagAsync(TrackerDbContext context, long runId, string? tag, CancellationToken cancellationToken = default) =>
        EditTagsAsync(context, runId, tags =>
        {
            var error = ValidateTag(tag, tags);
            if (error is null) tags.Add(tag!.Trim());
            return error;
        }, cancellationToken);

    /// <summary>Removes a tag; removing one the run does not have changes nothing and is no error.</summary>
    public static Task<AnnotationResult> RemoveTagAsync(TrackerDbContext context, long runId, string tag, CancellationToken cancellationToken = default) =>
        EditTagsAsync(context, runId, tags =>
        {
            tags.Remove(tag);
            return null;
        }, cancellationToken);

    private static async Task<AnnotationResult> EditTagsAsync(TrackerDbContext context, long runId, Func<List<string>, string?> edit,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var run = await context.Runs.FirstOrDefaultAsync(r => r.Id == runId, cancellationToken);
        if (run is null) return new AnnotationResult(false, $"There is no run {runId}.", []);
        // A new list, so EF's comparer sees the change of the primitive collection.
        var tags = run.Tags.ToList();
        var error = edit(tags);
        if (error is null)
        {
            run.Tags = tags;
            await context.SaveChangesAsync(cancellationToken);
        }
        return new AnnotationResult(true, error, run.Tags);
    }
}
