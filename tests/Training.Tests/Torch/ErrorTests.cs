using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

public class ErrorTests
{
    [Fact]
    public void ShapeMismatch_ThrowsTorchExceptionWithLibtorchMessage()
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones([2, 3]);
        var b = torch.ones([4, 5]);
        var error = Assert.Throws<TorchException>(() => a.matmul(b));
        Assert.Contains("cannot be multiplied", error.Message);
        Assert.DoesNotContain("frame #", error.Message); // the message, not a C++ backtrace
    }

    [Fact]
    public void WrongDtype_ThrowsTorchException()
    {
        using var scope = torch.NewDisposeScope();
        var logits = torch.randn([4, 3]);
        var floatTargets = torch.zeros([4]);
        var error = Assert.Throws<TorchException>(() => torch.nn.functional.cross_entropy(logits, floatTargets));
        Assert.Contains("Float", error.Message);
    }

    [Fact]
    public void DisposedTensor_UsedAgain_ThrowsObjectDisposedException()
    {
        var t = torch.ones([2]);
        t.Dispose();
        var error = Assert.Throws<ObjectDisposedException>(() => t.add(1));
        Assert.Contains("disposed", error.Message);
        t.Dispose(); // a second dispose is harmless
    }

    [Fact]
    public void TensorDisposedByItsScope_UsedAfterwards_Throws()
    {
        Tensor escaped;
        using (torch.NewDisposeScope()) escaped = torch.ones([2]);
        Assert.Throws<ObjectDisposedException>(() => escaped.ToArray<float>());
    }

    [Fact]
    public void CudaAskedFor_WhereThereIsNone_ThrowsTorchException()
    {
        if (torch.cuda.is_available()) return; // only meaningful on a CPU-only libtorch
        var error = Assert.Throws<TorchException>(() => torch.zeros([2], device: torch.CUDA));
        Assert.Contains("CUDA", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public void ToArrayOfWrongElementType_ThrowsClearError()
    {
        using var t = torch.ones([2]);
        var error = Assert.Throws<InvalidOperationException>(() => t.ToArray<long>());
        Assert.Contains("Float32", error.Message);
    }

    [Fact]
    public void AfterAnError_TheNextCallStillWorks()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<TorchException>(() => torch.ones([2]).view(3));
        Assert.Equal(new float[] { 2, 2 }, (torch.ones([2]) * 2).ToArray<float>());
    }
}
