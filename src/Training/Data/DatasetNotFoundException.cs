namespace Tracker.Training.Data;

/// <summary>Dataset files are missing: the message names the path and how to get them.</summary>
public sealed class DatasetNotFoundException : FileNotFoundException
{
    public DatasetNotFoundException(string message, string path, string? debianPackage = null)
        : base(message, path)
    {
        DebianPackage = debianPackage;
    }

    /// <summary>The Debian package that installs the files, where one exists.</summary>
    public string? DebianPackage { get; }
}
