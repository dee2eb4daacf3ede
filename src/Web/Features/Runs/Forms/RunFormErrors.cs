using System.Text.RegularExpressions;
using Tracker.Shared;

namespace Tracker.Web.Features.Runs.Forms;

/// <summary>
/// Validator errors sorted by where the form shows them: under the input whose JSON path they name, or, when no
/// shown input has that path, in a list at the top. No error is ever dropped.
/// </summary>
public sealed partial class RunFormErrors
{
    private readonly Dictionary<string, List<string>> _byInput;

    private RunFormErrors(Dictionary<string, List<string>> byInput, IReadOnlyList<FieldError> unplaced, int count)
    {
        _byInput = byInput;
        Unplaced = unplaced;
        Count = count;
    }

    public static RunFormErrors None { get; } = new([], [], 0);

    /// <summary>Errors no shown input can carry, in the validator's order.</summary>
    public IReadOnlyList<FieldError> Unplaced { get; }

    /// <summary>All errors, placed or not.</summary>
    public int Count { get; }

    public bool IsEmpty => Count == 0;

    /// <summary>The messages under the input of <paramref name="path"/>; empty when it has none.</summary>
    public IReadOnlyList<string> For(string path) => _byInput.TryGetValue(path, out var messages) ? messages : [];

    /// <summary>
    /// Places each error on the input of its path (an item path such as "tags[2]" on the list's input "tags"),
    /// provided <paramref name="isShown"/> says the page shows that input.
    /// </summary>
    public static RunFormErrors Place(IEnumerable<FieldError> errors, Func<string, bool> isShown)
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentNullException.ThrowIfNull(isShown);
        var byInput = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        var unplaced = new List<FieldError>();
        var count = 0;
        foreach (var error in errors)
        {
            count++;
            var path = InputPathOf(error.Field);
            if (RunForm.HasInput(path) && isShown(path))
            {
                if (!byInput.TryGetValue(path, out var messages)) byInput[path] = messages = [];
                messages.Add(error.Message);
            }
            else
            {
                unplaced.Add(error);
            }
        }
        return new RunFormErrors(byInput, unplaced, count);
    }

    /// <summary>"tags[2]" -> "tags": the items of a list share the list's input.</summary>
    public static string InputPathOf(string field) => ItemIndex().Replace(field, "");

    /// <summary>The input's label for a path, or the path itself when no input has it.</summary>
    public static string LabelOf(string field)
    {
        var path = InputPathOf(field);
        return RunForm.HasInput(path) ? RunForm.Input(path).Label : field;
    }

    [GeneratedRegex(@"\[\d+\]$")]
    private static partial Regex ItemIndex();
}
