using Tracker.Shared;

namespace Tracker.Worker.Tests;

/// <summary>The worker's LiteDB outbox: events kept in order until acknowledged, kept across a restart, and bounded.</summary>
public sealed class OutboxTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("tracker-outbox-").FullName;

    private string PathOf(string name = "outbox.db") => Path.Combine(_folder, name);

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static readonly DateTimeOffset At = new(2026, 11, 28, 12, 0, 0, TimeSpan.Zero);

    private static StepEvent Step(long seq) => new()
    {
        Time = At, Seq = seq, Step = seq, Epoch = 1, Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 0.5 },
    };

    private static int SizeOf(long seq) => TrainingEventJson.Serialize(Step(seq)).Length;

    [Fact]
    public async Task PendingEvents_ComeBackInSequenceOrder_PerRun_WhateverOrderTheyWereWrittenIn()
    {
        using var outbox = new Outbox(PathOf(), maxBytes: 1 << 20);
        foreach (var seq in new long[] { 3, 1, 12, 2, 10, 11 }) await outbox.AppendAsync(7, Step(seq));
        await outbox.AppendAsync(8, Step(1));

        Assert.Equal([1, 2, 3, 10, 11, 12], outbox.Pending(7, 100).Select(e => e.Seq));
        Assert.Equal([1, 2], outbox.Pending(7, 2).Select(e => e.Seq));
        Assert.Equal([1], outbox.Pending(8, 100).Select(e => e.Seq));
        Assert.Equal([7, 8], outbox.Runs());
        // What is sent is the event as the child reported it.
        Assert.Equal(TrainingEventJson.Serialize(Step(1)), outbox.Pending(7, 1)[0].Json);
    }

    [Fact]
    public async Task Acknowledging_DeletesEventsUpToTheAckedSequence_OfThatRunOnly()
    {
        using var outbox = new Outbox(PathOf(), maxBytes: 1 << 20);
        for (long seq = 1; seq <= 5; seq++)
        {
            await outbox.AppendAsync(1, Step(seq));
            await outbox.AppendAsync(2, Step(seq));
        }

        Assert.Equal(3, outbox.Acknowledge(1, 3));
        Assert.Equal(0, outbox.Acknowledge(1, 3)); // a repeated acknowledgement deletes nothing more
        Assert.Equal([4, 5], outbox.Pending(1, 100).Select(e => e.Seq));
        Assert.Equal(5, outbox.Pending(2, 100).Count);
        Assert.Equal(7, outbox.PendingCount);
        Assert.Equal(SizeOf(4) + SizeOf(5) + Enumerable.Range(1, 5).Sum(s => SizeOf(s)), outbox.PendingBytes);
        Assert.Equal(5, outbox.Discard(2));
        Assert.Empty(outbox.Pending(2, 100));
    }

    [Fact]
    public async Task UnacknowledgedEvents_SurviveAReopen_AndAResentSequenceIsKeptOnce()
    {
        using (var outbox = new Outbox(PathOf(), maxBytes: 1 << 20))
        {
            for (long seq = 1; seq <= 4; seq++) await outbox.AppendAsync(5, Step(seq));
            outbox.Acknowledge(5, 1);
        }
        using (var reopened = new Outbox(PathOf(), maxBytes: 1 << 20))
        {
            Assert.Equal([2, 3, 4], reopened.Pending(5, 100).Select(e => e.Seq));
            Assert.Equal(SizeOf(2) + SizeOf(3) + SizeOf(4), reopened.PendingBytes);
            await reopened.AppendAsync(5, Step(4));
            Assert.Equal([2, 3, 4], reopened.Pending(5, 100).Select(e => e.Seq));
            Assert.Equal(3, reopened.PendingCount);
        }
    }

    [Fact]
    public async Task EventsWrittenInGroups_AllSurviveAReopen_InOrder_AndAReplacementBeforeItsGroupIsWritten_IsKeptOnce()
    {
        var count = 2 * Outbox.WriteGroup + 5; // two full groups written as they filled, five written on dispose
        var replaced = Step(count - 1) with { Metrics = new Dictionary<string, double> { [MetricKeys.TrainLoss] = 0.25 } };
        using (var outbox = new Outbox(PathOf(), maxBytes: 1 << 24))
        {
            for (long seq = 1; seq <= count; seq++) await outbox.AppendAsync(4, Step(seq));
            await outbox.AppendAsync(4, replaced); // its first copy is in the group not yet written
            Assert.Equal(count, outbox.PendingCount);
        }
        using var reopened = new Outbox(PathOf(), maxBytes: 1 << 24);
        Assert.Equal(Enumerable.Range(1, count).Select(s => (long)s), reopened.Pending(4, int.MaxValue).Select(e => e.Seq));
        Assert.Equal(TrainingEventJson.Serialize(replaced), reopened.Pending(4, int.MaxValue)[^2].Json);
        Assert.Equal(count, reopened.PendingCountOf(4));
        Assert.Equal(Enumerable.Range(1, count).Sum(s => (long)SizeOf(s)) - SizeOf(count - 1) + TrainingEventJson.Serialize(replaced).Length, reopened.PendingBytes);
        Assert.Equal(count - 10, reopened.Acknowledge(4, count - 10));
        Assert.Equal(Enumerable.Range(count - 9, 10).Select(s => (long)s), reopened.Pending(4, int.MaxValue).Select(e => e.Seq));
    }

    [Fact]
    public async Task AFullOutbox_MakesAppendWait_UntilAnAcknowledgementMakesRoom()
    {
        // Room for exactly three events (all of one size): the fourth waits (the worker stops reading the child's stdout meanwhile).
        using var outbox = new Outbox(PathOf(), maxBytes: SizeOf(1) + SizeOf(2) + SizeOf(3));
        for (long seq = 1; seq <= 3; seq++) await outbox.AppendAsync(1, Step(seq));

        var fourth = outbox.AppendAsync(1, Step(4)).AsTask();
        await Task.Delay(300);
        Assert.False(fourth.IsCompleted);
        Assert.Equal(3, outbox.PendingCount);

        outbox.Acknowledge(1, 1);
        await fourth.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal([2, 3, 4], outbox.Pending(1, 100).Select(e => e.Seq));
        Assert.True(outbox.PendingBytes <= outbox.MaxBytes);
    }

    [Fact]
    public async Task AWaitingAppend_GivesUpWhenCancelled_AndStoresNothing()
    {
        using var outbox = new Outbox(PathOf(), maxBytes: SizeOf(1));
        await outbox.AppendAsync(1, Step(1));
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => outbox.AppendAsync(1, Step(2), cancel.Token).AsTask());
        Assert.Equal([1], outbox.Pending(1, 100).Select(e => e.Seq));
    }

    [Fact]
    public async Task AnEventLargerThanTheBound_StillGoesIntoAnEmptyOutbox()
    {
        using var outbox = new Outbox(PathOf(), maxBytes: 10);
        await outbox.AppendAsync(1, Step(1)).AsTask().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, outbox.PendingCount);
    }

    [Fact]
    public async Task WhenAppended_CompletesOnTheNextAppend()
    {
        using var outbox = new Outbox(PathOf(), maxBytes: 1 << 20);
        var appended = outbox.WhenAppended;
        Assert.False(appended.IsCompleted);
        await outbox.AppendAsync(3, Step(1));
        await appended.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.False(outbox.WhenAppended.IsCompleted);
    }
}
