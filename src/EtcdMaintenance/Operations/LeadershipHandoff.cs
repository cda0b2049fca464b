namespace EtcdMaintenance.Operations;

/// <summary>Moves leadership off a member before it is stopped or defragmented (member replacement, space recovery).</summary>
internal static class LeadershipHandoff
{
    /// <summary>
    /// Asks etcd to hand leadership from <paramref name="from"/> to <paramref name="to"/> (<c>etcdctl move-leader</c>), then
    /// waits until <paramref name="leaderOf"/> sees a leader other than <paramref name="from"/>. The request itself is not
    /// cancelled half-way (its outcome would be unknown); the wait is.
    /// </summary>
    /// <param name="client">The cluster.</param>
    /// <param name="from">The member leading now.</param>
    /// <param name="to">The member to hand leadership to.</param>
    /// <param name="leaderOf">Reads who leads now: its ID (<see cref="MemberId.None"/> for no one) and a name for messages.</param>
    /// <param name="timeout">How long the move may take.</param>
    /// <param name="pollInterval">How often to look.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="timedOut">The error past <paramref name="timeout"/>, given why not yet.</param>
    /// <param name="waiting">Told each new reason to wait, if anyone is.</param>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The member that leads now.</returns>
    public static async Task<MemberId> MoveAsync(
        IEtcdMaintenanceClient client, MemberId from, MemberId to, Func<CancellationToken, Task<(MemberId Id, string Name)>> leaderOf,
        TimeSpan timeout, TimeSpan pollInterval, TimeProvider timeProvider, Func<string, Exception> timedOut, Action<string>? waiting, CancellationToken cancellationToken)
    {
        await client.MoveLeaderAsync(to, CancellationToken.None).ConfigureAwait(false);
        var leader = MemberId.None;
        await ConditionWait.UntilAsync(async ct =>
        {
            (leader, var name) = await leaderOf(ct).ConfigureAwait(false);
            return !leader.IsNone && leader != from ? null : $"leadership is still with {name}";
        }, timeout, pollInterval, timeProvider, timedOut, waiting, cancellationToken).ConfigureAwait(false);
        return leader;
    }
}
