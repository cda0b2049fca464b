namespace EtcdMaintenance.Operations;

/// <summary>
/// Waits, on the injected clock, until a member is back: it answers status, serves a linearizable read, knows a leader
/// and has applied enough of the log. A member that refuses connections fails the wait at once, unless
/// <c>waitThroughRestarts</c> says a restart is expected.
/// </summary>
internal static class MemberReadiness
{
    public static async Task<EndpointStatus> WaitUntilBackAsync(
        IEtcdMaintenanceClient client, EtcdEndpoint endpoint, ulong minAppliedIndex, string operation,
        TimeSpan timeout, TimeSpan pollInterval, TimeProvider timeProvider, CancellationToken cancellationToken, bool waitThroughRestarts = false)
    {
        var started = timeProvider.GetTimestamp();
        while (true)
        {
            string reason;
            try
            {
                var status = await client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
                var health = await client.CheckHealthAsync(endpoint, cancellationToken).ConfigureAwait(false);
                if (health.AnswersReads && !status.Leader.IsNone && status.RaftAppliedIndex >= minAppliedIndex)
                {
                    return status;
                }

                reason = !health.AnswersReads ? $"it does not serve reads ({health.Error})"
                    : status.Leader.IsNone ? "it knows no leader"
                    : $"it has applied raft index {status.RaftAppliedIndex} of {minAppliedIndex}";
            }
            catch (EtcdException ex) when (waitThroughRestarts || ex.ErrorCode != EtcdErrorCode.EndpointUnavailable)
            {
                reason = ex.Message;
            }

            if (timeProvider.GetElapsedTime(started) >= timeout)
            {
                throw new EtcdSafetyCheckException(
                    $"{operation}: {endpoint} was not back within {EtcdErrors.Format(timeout)}: {reason}. Nothing further was changed; check the member, then run the operation again to continue.",
                    endpoint.Text, operation);
            }

            await Task.Delay(pollInterval, timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The leader's committed raft index, asked of the leader itself (or of <paramref name="fallback"/> when no leader answers).</summary>
    public static async Task<ulong> LeaderIndexAsync(IEtcdMaintenanceClient client, EtcdEndpoint fallback, CancellationToken cancellationToken)
    {
        var cluster = await client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        if (cluster.Leader is { } leader)
        {
            return leader.RaftIndex;
        }

        return (await client.GetStatusAsync(fallback, cancellationToken).ConfigureAwait(false)).RaftIndex;
    }
}
