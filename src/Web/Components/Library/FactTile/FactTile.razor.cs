using Microsoft.AspNetCore.Components;

namespace Tracker.Web.Components.Library;

/// <summary>One measured fact: a short label, its value, and a line that says where it comes from.</summary>
public partial class FactTile
{
    /// <summary>What the value is, e.g. "CUDA devices".</summary>
    [Parameter, EditorRequired] public string Label { get; set; } = "";

    /// <summary>The value as shown.</summary>
    [Parameter, EditorRequired] public string Value { get; set; } = "";

    /// <summary>A stable name for the value, rendered as data-fact so tests and scripts can find it.</summary>
    [Parameter, EditorRequired] public string Key { get; set; } = "";

    /// <summary>Where the value comes from or what it means; optional.</summary>
    [Parameter] public string? Detail { get; set; }
}
