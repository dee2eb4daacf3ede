using Tracker.Shared;
using Tracker.Training.Data;

namespace Tracker.Training.Tests.Data;

public class DatasetCatalogTests
{
    [Fact]
    public void EveryKnownDataset_HasALoader()
    {
        foreach (var name in KnownDatasets.All)
        {
            // Reaching the file system (or generating) proves the name is mapped; only synthetic needs nothing.
            var missing = Path.Combine(Path.GetTempPath(), "no-such-dataset-" + Guid.NewGuid().ToString("N"));
            var error = Record.Exception(() => DatasetCatalog.Load(name, missing));
            if (name == KnownDatasets.Synthetic) Assert.Null(error);
            else Assert.IsType<DatasetNotFoundException>(error);
        }
    }

    [Fact]
    public void UnknownName_ListsTheKnownOnes()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load("imagenet"));

        Assert.Contains("imagenet", error.Message);
        Assert.Contains(KnownDatasets.Cifar100, error.Message);
    }

    [Fact]
    public void Npz_WithoutPath_SaysItHasNoDefault()
    {
        var error = Assert.Throws<ArgumentException>(() => DatasetCatalog.Load(KnownDatasets.Npz));

        Assert.Contains("no default location", error.Message);
    }

    [Fact]
    public void DefaultPathsAndPackages_AreThoseTheLoadersUse()
    {
        Assert.Equal("/usr/share/datasets/fashion-mnist", DatasetCatalog.DefaultPath(KnownDatasets.FashionMnist));
        Assert.Equal("dataset-fashion-mnist", DatasetCatalog.DebianPackage(KnownDatasets.FashionMnist));
        Assert.Null(DatasetCatalog.DebianPackage(KnownDatasets.Mnist));
        Assert.Null(DatasetCatalog.DefaultPath(KnownDatasets.Npz));
    }

    [Fact]
    public void TrainSubset_CutsOnlyTheTrainingSplit()
    {
        var splits = DatasetCatalog.Load(KnownDatasets.Synthetic);

        var cut = splits.WithTrainSubset(100, seed: 0);

        Assert.Equal(100, cut.Train.Count);
        Assert.All(cut.Train.ClassCounts(), count => Assert.Equal(10, count));
        Assert.Same(splits.Test, cut.Test);
        Assert.Same(splits.Normalization, cut.Normalization);
        Assert.Same(splits, splits.WithTrainSubset(null, seed: 0));
    }
}
