namespace Tracker.Web.Data;

/// <summary>A named group of runs, the <c>project</c> of a <see cref="Shared.RunConfig"/>.</summary>
public sealed class Project
{
    public long Id { get; set; }
    public required string Name { get; set; }
    public string? Description { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<Run> Runs { get; } = [];
}
