using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

public class MemoryTests
{
    [Fact]
    public void ThousandsOfTrainingSteps_ReturnLiveTensorCountToBaselineAfterEveryStepScope()
    {
        torch.manual_seed(1);
        using var model = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Dropout(0.1), torch.nn.Linear(16, 3));
        using var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-2);
        using var inputs = torch.randn([32, 8]);
        using var targets = torch.randint(0, 3, [32]);
        var baseline = torch.LiveTensorCount;

        for (var step = 0; step < 3000; step++)
        {
            using (torch.NewDisposeScope())
            {
                optimizer.zero_grad();
                var loss = torch.nn.functional.cross_entropy(model.forward(inputs), targets);
                loss.backward();
                optimizer.step();
                _ = loss.ToDouble();
            }
            // Gradients live on the parameters between steps; zero_grad drops them.
            optimizer.zero_grad();
            Assert.Equal(baseline, torch.LiveTensorCount);
        }
    }

    [Fact]
    public void MovedOutTensor_SurvivesItsScope_AndIsFreedByTheOuterOne()
    {
        var baseline = torch.LiveTensorCount;
        using (torch.NewDisposeScope())
        {
            Tensor kept;
            using (var inner = torch.NewDisposeScope())
            {
                var a = torch.ones([2, 2]);
                kept = inner.MoveToOuter(a * 3);
            }
            Assert.Equal(new float[] { 3, 3, 3, 3 }, kept.ToArray<float>());
            Assert.Equal(baseline + 1, torch.LiveTensorCount);
        }
        Assert.Equal(baseline, torch.LiveTensorCount);
    }

    [Fact]
    public void DetachedTensor_IsOwnedByTheCaller()
    {
        var baseline = torch.LiveTensorCount;
        Tensor owned;
        using (torch.NewDisposeScope())
        {
            owned = torch.zeros([3]).DetachFromDisposeScope();
        }
        Assert.False(owned.IsDisposed);
        owned.Dispose();
        Assert.Equal(baseline, torch.LiveTensorCount);
    }
}
