using Tracker.Shared;
using Tracker.Web.Jobs;

namespace Tracker.Web.Tests.Jobs;

public class GpuSchedulerTests
{
    private static DeviceLoad Gpu(string id, int slots, int shared = 0, bool exclusive = false) => new($"cuda:{id}", slots, shared, exclusive);

    private static WaitingRun SharedRun(long id) => new(id, GpuShare.Shared);

    private static WaitingRun ExclusiveRun(long id) => new(id, GpuShare.Exclusive);

    [Fact]
    public void ASharedRun_GoesToTheLeastLoadedGpuWithAFreeSlot()
    {
        var placement = GpuScheduler.PlaceNext([SharedRun(1)], [Gpu("0", 4, shared: 3), Gpu("1", 4, shared: 1), Gpu("2", 4, shared: 2)]);

        Assert.Equal(new Placement(1, "cuda:1"), placement);
    }

    [Fact]
    public void LoadIsMeasuredAgainstSlots_NotInRuns()
    {
        // Two of eight slots is less loaded than one of two.
        var placement = GpuScheduler.PlaceNext([SharedRun(1)], [Gpu("0", 2, shared: 1), Gpu("1", 8, shared: 2)]);

        Assert.Equal("cuda:1", placement?.Device);
    }

    [Fact]
    public void FullGpus_AndGpusHeldExclusively_TakeNoSharedRun()
    {
        Assert.Null(GpuScheduler.PlaceNext([SharedRun(1)], [Gpu("0", 2, shared: 2), Gpu("1", 4, exclusive: true)]));
    }

    [Fact]
    public void AnExclusiveRun_NeedsAnIdleGpu()
    {
        var devices = new[] { Gpu("0", 4, shared: 1), Gpu("1", 4), Gpu("2", 4, shared: 1) };

        Assert.Equal(new Placement(7, "cuda:1"), GpuScheduler.PlaceNext([ExclusiveRun(7)], devices));
        Assert.Null(GpuScheduler.PlaceNext([ExclusiveRun(7)], [Gpu("0", 4, shared: 1)]));
    }

    [Fact]
    public void RunsStartInClaimOrder_WhenTheFirstFits()
    {
        var placement = GpuScheduler.PlaceNext([SharedRun(3), SharedRun(1), ExclusiveRun(2)], [Gpu("0", 4), Gpu("1", 4)]);

        Assert.Equal(3, placement?.RunId);
    }

    [Fact]
    public void AWaitingExclusiveRun_ReservesTheLeastLoadedGpu_AndLaterRunsFillTheOthers()
    {
        // GPU 1 has the fewest runs: it is reserved for run 1, so run 2 goes to GPU 0 even though GPU 1 has more room.
        var devices = new[] { Gpu("0", 4, shared: 2), Gpu("1", 4, shared: 1) };

        var placement = GpuScheduler.PlaceNext([ExclusiveRun(1), SharedRun(2)], devices);

        Assert.Equal(new Placement(2, "cuda:0"), placement);
    }

    [Fact]
    public void AReservedGpu_TakesNothingNew_EvenWhenItIsTheOnlyOneWithRoom()
    {
        Assert.Null(GpuScheduler.PlaceNext([ExclusiveRun(1), SharedRun(2)], [Gpu("0", 4, shared: 1)]));
    }

    [Fact]
    public void OnAMachineWithoutGpus_EveryRunTakesOneSlot_WhateverItsShare()
    {
        var cpu = new DeviceLoad("cpu", 2, 1, false);

        Assert.Equal(new Placement(1, "cpu"), GpuScheduler.PlaceNext([ExclusiveRun(1)], [cpu]));
        Assert.Null(GpuScheduler.PlaceNext([SharedRun(2)], [cpu with { SharedRuns = 2 }]));
    }

    [Fact]
    public void AutoMustBeResolvedFirst()
    {
        Assert.Throws<ArgumentException>(() => GpuScheduler.PlaceNext([new WaitingRun(1, GpuShare.Auto)], [Gpu("0", 1)]));
    }

    [Theory]
    [InlineData("vit-nano", GpuShare.Auto, GpuShare.Shared)]
    [InlineData("convnext", GpuShare.Auto, GpuShare.Exclusive)]
    [InlineData("convnext", GpuShare.Shared, GpuShare.Shared)]
    [InlineData("mlp", GpuShare.Exclusive, GpuShare.Exclusive)]
    public void AutoIsSharedForSmallModels_AndExclusiveForLargeOnes(string model, GpuShare asked, GpuShare expected)
    {
        Assert.Equal(expected, new ResourceSettings { Gpu = asked }.ShareFor(model));
    }

    /// <summary>
    /// Two GPUs of four slots, an endless stream of shared runs always waiting, and one exclusive run at the head of
    /// the queue: runs end one at a time, oldest first, and after each end the worker claims until nothing fits. The
    /// exclusive run must start, and within the time it takes the runs that were there to end.
    /// </summary>
    [Fact]
    public void AStreamOfSharedRuns_NeverStarvesAnExclusiveOne()
    {
        var running = new List<(long Run, string Device)>();
        var nextShared = 100L;
        var exclusiveStarted = false;
        var ends = 0;
        for (var i = 0; i < 8; i++) running.Add((nextShared++, i % 2 == 0 ? "cuda:0" : "cuda:1"));

        while (!exclusiveStarted && ends < 100)
        {
            running.RemoveAt(0);
            ends++;
            while (true)
            {
                var devices = new[] { "0", "1" }.Select(d => Gpu(d, 4, shared: running.Count(r => r.Device == $"cuda:{d}"))).ToList();
                var queue = new List<WaitingRun> { ExclusiveRun(1) };
                queue.AddRange(Enumerable.Range(0, 5).Select(k => SharedRun(nextShared + k)));
                var placement = GpuScheduler.PlaceNext(queue, devices);
                if (placement is null) break;
                if (placement.RunId == 1)
                {
                    Assert.DoesNotContain(running, r => r.Device == placement.Device);
                    exclusiveStarted = true;
                    break;
                }
                running.Add((placement.RunId, placement.Device));
                nextShared++;
            }
        }

        Assert.True(exclusiveStarted, "the exclusive run never started");
        Assert.True(ends <= 8, $"the exclusive run waited for {ends} runs to end; the 8 that were running are enough");
    }
}
