using System.Diagnostics;
using System.Text.Json;

namespace Tracker.Benchmarks;

/// <summary>
/// Runs a reference script under a Python that has PyTorch (Debian's python3-torch links the same
/// libtorch as the shim) and reads the one JSON object it prints last.
/// </summary>
public static class PythonReference
{
    public static JsonElement? Run(string script, params string[] arguments) => Run(script, new Dictionary<string, string>(), arguments);

    /// <summary>As <see cref="Run(string, string[])"/>, with extra environment variables for the Python process.</summary>
    public static JsonElement? Run(string script, IReadOnlyDictionary<string, string> environment, params string[] arguments)
    {
        var python = FindPython();
        if (python is null)
        {
            Console.WriteLine("PyTorch reference: skipped (no python3 with torch; `apt-get install python3-torch`, or set TRACKER_PYTHON)");
            return null;
        }
        var start = new ProcessStartInfo(python) { RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(ScriptsDirectory(), script));
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        foreach (var (name, value) in environment) start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            Console.WriteLine($"PyTorch reference failed ({python} {script}): {errors.Trim()}");
            return null;
        }
        var last = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last();
        return JsonDocument.Parse(last).RootElement.Clone();
    }

    private static string? FindPython()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable("TRACKER_PYTHON"), "/usr/bin/python3", "python3"];
        foreach (var candidate in candidates)
        {
            if (string.IsNullOrEmpty(candidate)) continue;
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import torch"])
                {
                    RedirectStandardError = true,
                    RedirectStandardOutput = true,
                })!;
                probe.WaitForExit();
                if (probe.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // Not installed under that name; try the next.
            }
        }
        return null;
    }

    private static string ScriptsDirectory()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var scripts = Path.Combine(directory.FullName, "benchmarks", "python");
            if (Directory.Exists(scripts)) return scripts;
        }
        throw new DirectoryNotFoundException("benchmarks/python not found above " + AppContext.BaseDirectory);
    }
}
