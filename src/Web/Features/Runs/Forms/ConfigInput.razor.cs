using Microsoft.AspNetCore.Components;
using Tracker.Shared;
using Tracker.Web.Components.Library;

namespace Tracker.Web.Features.Runs.Forms;

/// <summary>
/// The input of one config field of the new-run form, chosen by the field's kind in <see cref="RunConfigFields"/>
/// (text box, number, drop-down or check box), bound to <see cref="RunForm"/>, with its label and errors.
/// </summary>
public partial class ConfigInput
{
    /// <summary>The form whose value the input shows and edits.</summary>
    [Parameter, EditorRequired] public RunForm Form { get; set; } = default!;

    /// <summary>The config field; its path is the input's name and id.</summary>
    [Parameter, EditorRequired] public ConfigFieldInfo Field { get; set; } = default!;

    /// <summary>The messages shown under the input; none when it is valid.</summary>
    [Parameter] public IReadOnlyList<string> Errors { get; set; } = [];

    /// <summary>A help line that replaces the field's own (<see cref="ConfigFieldInfo.Hint"/>).</summary>
    [Parameter] public string? Hint { get; set; }

    /// <summary>Called after the value changed, so the page checks the form again.</summary>
    [Parameter] public EventCallback Changed { get; set; }

    private string Path => Field.Path;

    private bool IsCheckBox => Field.Kind is ConfigFieldKind.Flag or ConfigFieldKind.Section;

    /// <summary>The field's step for the spin buttons ("0.01", "1e-4"), 1 where it names none.</summary>
    private double Step => double.TryParse(Field.Step, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var step) ? step : 1;

    private bool Invalid => Errors.Count > 0;

    // The error list's id: MudBlazor writes its HelperId into the input's aria-describedby.
    private string? ErrorsId => ConfigField.ErrorsIdOf(Path, Errors);

    private Task SetAsync(object? value)
    {
        Form.Set(Path, value);
        return Changed.InvokeAsync();
    }

    private Task SetChoiceAsync(string? value)
    {
        Form.SetChoice(Path, value);
        return Changed.InvokeAsync();
    }
}
