using Microsoft.AspNetCore.Components;

namespace Tracker.Web.Components.Library;

/// <summary>
/// One labelled input of a config form with its errors underneath. The input itself is the child content; give it
/// Name="@Path" so the label points at it, and <see cref="InputAttributes"/> so a screen reader reads its errors.
/// </summary>
public partial class ConfigField
{
    /// <summary>The JSON path of the config field (e.g. "dropout.cutoffEpoch"); the input's name and id.</summary>
    [Parameter, EditorRequired] public string Path { get; set; } = "";

    /// <summary>The label shown with the input.</summary>
    [Parameter, EditorRequired] public string Label { get; set; } = "";

    /// <summary>The messages shown under the input; none when it is valid.</summary>
    [Parameter] public IReadOnlyList<string> Errors { get; set; } = [];

    /// <summary>A short help line shown while there is no error.</summary>
    [Parameter] public string? Hint { get; set; }

    /// <summary>Label after the input on one line (check boxes), instead of a form field around it.</summary>
    [Parameter] public bool Inline { get; set; }

    /// <summary>The input.</summary>
    [Parameter] public RenderFragment? ChildContent { get; set; }

    public static string ErrorId(string path) => $"{path}-errors";

    /// <summary>Attributes for the input element: invalid, and described by the error list, while it has errors.</summary>
    public static Dictionary<string, object> InputAttributes(string path, IReadOnlyList<string> errors) =>
        errors.Count == 0
            ? new() { ["aria-invalid"] = "false" }
            : new() { ["aria-invalid"] = "true", ["aria-describedby"] = ErrorId(path) };
}
