namespace Tracker.Web.Data.Configuration;

/// <summary>Column lengths, in one place so the two providers' migrations agree with the model.</summary>
internal static class Limits
{
    public const int Enum = 16;
    /// <summary>Metric keys, model and dataset names, sweep ids, a script run's client key.</summary>
    public const int Key = 64;
    /// <summary>Names people type: runs, projects, owners, method labels.</summary>
    public const int Name = 200;
    /// <summary>A run id, or the run ids of a comparison. Notes, descriptions and errors have no limit.</summary>
    public const int ShareTarget = 2000;
    /// <summary>A run's tag; the same rule as a submitted config's tags.</summary>
    public const int Tag = Tracker.Shared.RunConfigValidator.MaxTagLength;
}
