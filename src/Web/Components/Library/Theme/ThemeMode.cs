using Microsoft.JSInterop;

namespace Tracker.Web.Components.Library;

/// <summary>
/// Light or dark, per circuit: the system's setting (prefers-color-scheme) until the user picks one with the app bar's
/// toggle; the pick is remembered in the browser's localStorage (wwwroot/app.js), so it outlives the circuit.
/// </summary>
public sealed class ThemeMode(IJSRuntime js)
{
    /// <summary>True while the dark palette is shown.</summary>
    public bool IsDark { get; private set; }

    /// <summary>True once the user picked a mode; the system setting then no longer decides.</summary>
    public bool Chosen { get; private set; }

    /// <summary>Raised when <see cref="IsDark"/> changed.</summary>
    public event Action? Changed;

    /// <summary>The stored pick, or null when the user never picked one.</summary>
    public async Task<bool?> StoredAsync()
    {
        var stored = await js.InvokeAsync<string?>("trackerTheme.get");
        return stored switch { "dark" => true, "light" => false, _ => null };
    }

    /// <summary>Shows the mode the system or a stored pick asks for.</summary>
    public void Follow(bool dark, bool chosen)
    {
        Chosen = chosen;
        Set(dark);
    }

    /// <summary>The toggle: the other mode, remembered.</summary>
    public async Task ToggleAsync()
    {
        Chosen = true;
        Set(!IsDark);
        await js.InvokeVoidAsync("trackerTheme.set", IsDark ? "dark" : "light");
    }

    private void Set(bool dark)
    {
        if (dark == IsDark) return;
        IsDark = dark;
        Changed?.Invoke();
    }
}
