using Tracker.Web.Features.Runs.Forms;

namespace Tracker.Web.Tests.Runs.Forms;

public class BlockedSubmitTests
{
    [Theory]
    [InlineData(new[] { "Learning rate" }, false, "Nothing was queued: fix Learning rate (marked above).")]
    [InlineData(new[] { "Epochs", "Learning rate" }, false, "Nothing was queued: fix Epochs and Learning rate (marked above).")]
    [InlineData(new[] { "Epochs", "Learning rate", "Seed", "Dropout rate", "L1 weight" }, false,
        "Nothing was queued: fix Epochs, Learning rate, Seed and 2 more fields (marked above).")]
    [InlineData(new[] { "Epochs", "Learning rate", "Seed", "Dropout rate" }, false, "Nothing was queued: fix Epochs, Learning rate, Seed and 1 more field (marked above).")]
    [InlineData(new string[0], true, "Nothing was queued: fix the problems listed at the top.")]
    [InlineData(new[] { "Seeds" }, true, "Nothing was queued: fix Seeds (marked above) and the problems listed at the top.")]
    public void TheMessage_NamesTheFieldsToFix(string[] labels, bool topProblems, string expected)
    {
        Assert.Equal(expected, BlockedSubmit.Message(labels, topProblems));
    }

    [Fact]
    public void AFieldsSelector_NamesItsConfigField()
    {
        Assert.Equal("[data-field=\"dropout.cutoffEpoch\"]", BlockedSubmit.FieldSelector("dropout.cutoffEpoch"));
    }
}
