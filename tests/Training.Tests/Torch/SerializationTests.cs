using Tracker.Training.Torch;

namespace Tracker.Training.Tests.Torch;

public class SerializationTests
{
    [Fact]
    public void ModuleSaveThenLoad_RoundTripsEveryParameterAndBufferExactly()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trk-state-{Guid.NewGuid():N}.bin");
        try
        {
            torch.manual_seed(7);
            using var source = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5));
            using (torch.NewDisposeScope()) source.forward(torch.randn([2, 1, 8, 8])); // moves the running statistics
            source.save(path);

            torch.manual_seed(8);
            using var target = torch.nn.Sequential(torch.nn.Conv2d(1, 4, 3), torch.nn.BatchNorm2d(4), torch.nn.Flatten(), torch.nn.Linear(4 * 6 * 6, 5));
            target.load(path);

            var expected = source.state_dict();
            var actual = target.state_dict();
            Assert.Equal(expected.Keys, actual.Keys);
            foreach (var (name, tensor) in expected)
                Assert.Equal(tensor.ToArray<float>(), actual[name].ToArray<float>());
            Assert.Contains("1.running_mean", actual.Keys);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void TensorFile_RoundTripsDtypesAndShapes()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trk-tensors-{Guid.NewGuid():N}.bin");
        try
        {
            using var scope = torch.NewDisposeScope();
            var tensors = new Dictionary<string, Tensor>
            {
                ["f"] = torch.tensor(new[] { 1.5f, float.NaN, -0f, float.MaxValue }, [2, 2]),
                ["d"] = torch.tensor(new[] { Math.PI }),
                ["l"] = torch.tensor(new[] { long.MinValue, 3L }),
                ["b"] = torch.tensor(new byte[] { 0, 255, 7 }, [3, 1]),
                ["s"] = torch.scalar(2.5),
            };
            TensorFile.Save(path, tensors);
            var loaded = TensorFile.Load(path);
            foreach (var (name, tensor) in tensors)
            {
                Assert.Equal(tensor.dtype, loaded[name].dtype);
                Assert.Equal(tensor.shape, loaded[name].shape);
                Assert.Equal(tensor.ToBytesForTest(), loaded[name].ToBytesForTest());
                loaded[name].Dispose();
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadingAStateWithWrongShapes_NamesTheParameter()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trk-bad-{Guid.NewGuid():N}.bin");
        try
        {
            using (var small = torch.nn.Linear(2, 3)) small.save(path);
            using var big = torch.nn.Linear(4, 3);
            var error = Assert.Throws<InvalidDataException>(() => big.load(path));
            Assert.Contains("'weight'", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void LoadingAGarbageFile_GivesAClearError()
    {
        var path = Path.Combine(Path.GetTempPath(), $"trk-garbage-{Guid.NewGuid():N}.bin");
        try
        {
            File.WriteAllText(path, "not a checkpoint");
            var error = Assert.Throws<InvalidDataException>(() => TensorFile.Load(path));
            Assert.Contains("not a Tracker tensor file", error.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

internal static class TensorTestExtensions
{
    /// <summary>Bytes as serialized, so NaN and -0 compare exactly.</summary>
    public static byte[] ToBytesForTest(this Tensor tensor) => tensor.dtype switch
    {
        ScalarType.Float32 => tensor.ToArray<float>().SelectMany(BitConverter.GetBytes).ToArray(),
        ScalarType.Float64 => tensor.ToArray<double>().SelectMany(BitConverter.GetBytes).ToArray(),
        ScalarType.Int64 => tensor.ToArray<long>().SelectMany(BitConverter.GetBytes).ToArray(),
        ScalarType.Byte => tensor.ToArray<byte>(),
        _ => throw new NotSupportedException(tensor.dtype.ToString()),
    };
}
