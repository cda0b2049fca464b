using System.Diagnostics;

namespace EtcdMaintenance.IntegrationTests.Harness;

/// <summary>Waits on conditions with deadlines (never a bare sleep).</summary>
public static class Retry
{
    /// <summary>
    /// Repeats <paramref name="call"/> while etcd answers <paramref name="code"/>, up to a deadline. etcd refuses member
    /// changes ("unhealthy cluster") until its peers have been connected for about five seconds after a start.
    /// </summary>
    public static async Task<T> WhileAsync<T>(EtcdErrorCode code, Func<Task<T>> call, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (true)
        {
            try
            {
                return await call();
            }
            catch (EtcdException ex) when (ex.ErrorCode == code && clock.Elapsed < limit)
            {
                await Task.Delay(100);
            }
        }
    }

    /// <summary>Polls <paramref name="condition"/> until it holds or the deadline passes (then fails with <paramref name="what"/>).</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, string what, TimeSpan? timeout = null)
    {
        var clock = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(20);
        while (!await condition())
        {
            if (clock.Elapsed >= limit)
            {
                throw new TimeoutException($"Waited {limit} for {what}.");
            }

            await Task.Delay(50);
        }
    }
}
