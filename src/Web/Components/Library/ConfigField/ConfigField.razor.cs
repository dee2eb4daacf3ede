using Microsoft.AspNetCore.Components;

namespace Tracker.Web.Components.Library;

/// <summary>
/// One labelled input of a config form with its errors underneath. The input itself is the child content; give it
/// InputId="@Path" so the label points at it, and <see cref="ErrorsIdOf"/> as its HelperId so a screen reader reads its errors
/// (or <see cref="InputAttributes"/> on a plain input).
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

    /// <summary>A check box on one line that carries its own label, instead of a label above the input.</summary>
    [Parameter] public bool Inline { get; set; }

    /// <summary>The input.</summary>
    [Parameter] public RenderFragment? ChildContent { get; set; }

    public static string ErrorId(string path) => $"{path}-errors";

    /// <summary>The id of the error list while there are errors (a MudBlazor input's HelperId: its aria-describedby); null without.</summary>
    public static string? ErrorsIdOf(string path, IReadOnlyList<string> errors) => errors.Count == 0 ? null : ErrorId(path);

    /// <summary>Attributes for the input element: invalid, and described by the error list, while it has errors.</summary>
    public static Dictionary<string, object> InputAttributes(string path, IReadOnlyList<string> errors) =>
        errors.Count == 0
            ? new() { ["aria-invalid"] = "false" }
            : new() { ["aria-invalid"] = "true", ["aria-describedby"] = ErrorId(path) };
}
