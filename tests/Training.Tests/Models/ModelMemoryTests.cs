using Tracker.Shared;
using Tracker.Training.Models;
using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Models;

public class ModelMemoryTests
{
    [Fact]
    public void TrainingAndEvaluationSteps_OnEveryModel_LeaveNoTensorBehind()
    {
        var dropConnect = new DropConnectSettings { Rate = 0.2, Inference = DropConnectInference.Gaussian, Samples = 2 };
        foreach (var name in KnownModels.All.Where(name => name != KnownModels.VitTiny))
        {
            var dropPath = KnownModels.HasResidualBlocks(name) ? 0.2 : 0;
            using var model = ModelFactory.Create(name, 1, 28, 10, dropoutRate: 0.2, dropPathRate: dropPath, dropConnect: dropConnect);
            using var inputs = torch.randn([2, 1, 28, 28]);
            using var targets = torch.randint(0, 10, [2]);
            var baseline = torch.LiveTensorCount;
            using (torch.NewDisposeScope())
                torch.nn.functional.cross_entropy(model.forward(inputs), targets).backward();
            model.zero_grad();
            model.eval();
            using (torch.NewDisposeScope())
                _ = model.forward(inputs).ToArray<float>();
            Assert.True(baseline == torch.LiveTensorCount, $"{name} left {torch.LiveTensorCount - baseline} tensors");
        }
    }
}
