using Tracker.Shared;

namespace Tracker.Training.Tests.Models;

/// <summary>Every model name against both input kinds the datasets produce: 1x28x28 grey and 3x32x32 RGB.</summary>
public static class ModelTestData
{
    public static TheoryData<string, int, int> EveryModelAndInputKind()
    {
        var data = new TheoryData<string, int, int>();
        foreach (var name in KnownModels.All)
        {
            data.Add(name, 1, 28);
            data.Add(name, 3, 32);
        }
        return data;
    }

    public static TheoryData<string> EveryModel() => new(KnownModels.All);

    /// <summary>
    /// One model per class: vit-tiny is vit-nano's code at three times the width and twice the depth, and a
    /// CPU test pays for every multiply, so the costly behaviour checks run on vit-nano only.
    /// </summary>
    public static TheoryData<string> EveryArchitecture() => new(KnownModels.All.Where(name => name != KnownModels.VitTiny));

    public static TheoryData<string> ModelsWithResidualBlocks() => new(KnownModels.All.Where(KnownModels.HasResidualBlocks));
}
