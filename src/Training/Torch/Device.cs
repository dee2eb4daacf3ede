namespace Tracker.Training.Torch;

/// <summary>Device kinds; the values are c10::DeviceType's.</summary>
public enum DeviceType
{
    CPU = 0,
    CUDA = 1,
}

/// <summary>Where a tensor lives: "cpu", "cuda" or "cuda:N".</summary>
public readonly record struct Device(DeviceType Type, int Index = -1)
{
    public static Device Parse(string text)
    {
        var trimmed = text.Trim().ToLowerInvariant();
        if (trimmed == "cpu") return new Device(DeviceType.CPU);
        if (trimmed == "cuda") return new Device(DeviceType.CUDA);
        if (trimmed.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(trimmed[5..], out var index) && index >= 0)
            return new Device(DeviceType.CUDA, index);
        throw new ArgumentException($"Unknown device '{text}': expected cpu, cuda or cuda:N.", nameof(text));
    }

    public override string ToString() => Type switch
    {
        DeviceType.CPU => "cpu",
        _ when Index < 0 => "cuda",
        _ => $"cuda:{Index}",
    };
}
