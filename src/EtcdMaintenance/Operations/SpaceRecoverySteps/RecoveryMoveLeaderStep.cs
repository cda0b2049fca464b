namespace EtcdMaintenance.Operations;

/// <summary>Hands leadership to the plan's follower before the leader is defragmented (when the leader is still worth it).</summary>
internal sealed class RecoveryMoveLeaderStep(MemberPlan leader, MemberId successor) : IOperationStep<SpaceRecoveryRun>
{
    public string Name => $"move-leader-{successor}";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => new OperationStep
    {
        Number = number,
        Description = $"Hand leadership from {leader.Name} to {context.View.Find(successor)?.DisplayName} so that the leader is not blocked by its defragment.",
        EquivalentCommand = $"etcdctl --endpoints={leader.Endpoint} move-leader {successor}",
    };

    /// <summary>Done when the successor already leads, or the leader is no longer worth defragmenting (its step then skips it).</summary>
    public async ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        context.CurrentMember = leader;
        if ((await context.Client.GetStatusAsync(context.EndpointOf(successor), cancellationToken).ConfigureAwait(false)).IsLeader)
        {
            return true;
        }

        var status = await context.StatusWhenCaughtUpAsync(context.EndpointOf(leader.Id), cancellationToken).ConfigureAwait(false);
        return !context.Options.DefragmentWhen.Evaluate(status).Defragment;
    }

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        var name = context.View.Find(successor)?.DisplayName ?? successor.ToString();
        context.Report(SpaceRecoveryStage.MovingLeader, leader.Name, $"moving leadership from {leader.Name} to {name} before defragmenting it");
        var endpoint = context.EndpointOf(successor);
        var now = await LeadershipHandoff.MoveAsync(
            context.Client, leader.Id, successor,
            async ct =>
            {
                var seen = (await context.Client.GetStatusAsync(endpoint, ct).ConfigureAwait(false)).Leader;
                return (seen, seen.IsNone ? "no one" : context.View.Find(seen)?.DisplayName ?? seen.ToString());
            },
            context.Options.MemberRecoveryTimeout, context.Options.PollInterval, context.TimeProvider,
            reason => new EtcdSafetyCheckException($"{SpaceRecoveryRun.OperationName}: leadership did not move to {successor} within {EtcdErrors.Format(context.Options.MemberRecoveryTimeout)}: {reason}.", endpoint.Text, SpaceRecoveryRun.OperationName),
            null, cancellationToken).ConfigureAwait(false);
        context.LeaderMovedTo = now;
        context.Report(SpaceRecoveryStage.LeaderMoved, leader.Name, $"leadership moved to {context.View.Find(now)?.DisplayName ?? now.ToString()}");
    }
}
