namespace EtcdMaintenance.Operations;

/// <summary>Waits on the injected clock until a condition holds, saying why not yet each time that changes.</summary>
internal static class ConditionWait
{
    /// <summary>Polls <paramref name="check"/> (it returns why not yet, or <see langword="null"/> once it holds) until it holds.</summary>
    /// <param name="check">The condition.</param>
    /// <param name="timeout">How long it may take.</param>
    /// <param name="pollInterval">How often to look.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="timedOut">The error to throw past <paramref name="timeout"/>, given the last reason.</param>
    /// <param name="waiting">Told each new reason, if anyone is.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    public static async Task UntilAsync(
        Func<CancellationToken, Task<string?>> check, TimeSpan timeout, TimeSpan pollInterval, TimeProvider timeProvider,
        Func<string, Exception> timedOut, Action<string>? waiting, CancellationToken cancellationToken)
    {
        var started = timeProvider.GetTimestamp();
        string? reported = null;
        while (true)
        {
            var reason = await check(cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            if (timeProvider.GetElapsedTime(started) >= timeout)
            {
                throw timedOut(reason);
            }

            if (reason != reported)
            {
                waiting?.Invoke(reason);
                reported = reason;
            }

            await Task.Delay(pollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
