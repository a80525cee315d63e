namespace YarpWaitingRoom.Hosting;

/// <summary>
/// Background loops talk to Redis, whose commands take no cancellation token and, while Redis is unreachable, wait out
/// the client's timeout (5 s). A service that is stopping should not wait for them.
/// </summary>
internal static class StoppingExtensions
{
    /// <summary>
    /// Awaits <paramref name="work"/>, or stops waiting as soon as <paramref name="stoppingToken"/> fires (throwing
    /// <see cref="OperationCanceledException"/>). Abandoned work runs to its end on its own and any failure it ends in is
    /// observed, so nothing surfaces later as an unobserved task exception. Only for work that is safe to leave behind:
    /// an atomic script, an idempotent retryable step.
    /// </summary>
    public static async Task WaitOrAbandonAsync(this Task work, CancellationToken stoppingToken)
    {
        ArgumentNullException.ThrowIfNull(work);
        try
        {
            await work.WaitAsync(stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested && !work.IsCompleted)
        {
            _ = work.ContinueWith(
                static t => _ = t.Exception,
                CancellationToken.None,
                TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            throw;
        }
    }

    /// <inheritdoc cref="WaitOrAbandonAsync(Task, CancellationToken)"/>
    public static async Task<T> WaitOrAbandonAsync<T>(this Task<T> work, CancellationToken stoppingToken)
    {
        await ((Task)work).WaitOrAbandonAsync(stoppingToken).ConfigureAwait(false);
        return await work.ConfigureAwait(false);
    }
}
