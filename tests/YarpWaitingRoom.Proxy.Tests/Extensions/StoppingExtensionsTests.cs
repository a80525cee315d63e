using YarpWaitingRoom.Hosting;

namespace YarpWaitingRoom.Proxy.Tests.Extensions;

public sealed class StoppingExtensionsTests
{
    [Fact]
    public async Task WaitOrAbandon_ReturnsTheResult_WhenTheWorkEndsFirst()
    {
        using var stopping = new CancellationTokenSource();

        var result = await Task.FromResult(42).WaitOrAbandonAsync(stopping.Token);

        Assert.Equal(42, result);
    }

    [Fact]
    public async Task WaitOrAbandon_PassesTheWorksOwnFailureOn_WhenNotStopping()
    {
        using var stopping = new CancellationTokenSource();

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(
            () => Task.FromException(new InvalidOperationException("boom")).WaitOrAbandonAsync(stopping.Token));

        Assert.Equal("boom", thrown.Message);
    }

    [Fact]
    public async Task WaitOrAbandon_StopsWaitingAtOnce_WhenStopping_AndLeavesTheWorkRunning()
    {
        using var stopping = new CancellationTokenSource();
        var work = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

        var waiting = work.Task.WaitOrAbandonAsync(stopping.Token);
        Assert.False(waiting.IsCompleted);
        await stopping.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        Assert.False(work.Task.IsCompleted);
        work.SetException(new InvalidOperationException("Redis timed out long after the stop"));
        Assert.True(work.Task.IsFaulted);
    }
}
