namespace Tracker.Web.Data;

public sealed partial class Run
{
    /// <summary>
    /// Why the sweep's median stopping rule stopped this run (the rule's sentence); null when it was not stopped early.
    /// Such a run ends <see cref="RunStatus.Cancelled"/>; this column is what tells it from a run a person cancelled.
    /// </summary>
    public string? StoppedEarly { get; set; }
}
