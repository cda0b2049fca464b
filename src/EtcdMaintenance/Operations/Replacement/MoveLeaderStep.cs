namespace EtcdMaintenance.Operations;

/// <summary>Hands leadership to the most advanced healthy voter when the member to replace leads.</summary>
internal sealed class MoveLeaderStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.MoveLeader;

    public override string Label => "move leader";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return o.MoveLeaderToId is { } to
            ? new OperationStep
            {
                Number = number,
                Description = $"Hand leadership from {o.MemberName} to {o.MoveLeaderToName} before stopping it.",
                EquivalentCommand = $"etcdctl --endpoints={o.TargetEndpoint} move-leader {to}",
            }
            : new OperationStep
            {
                Number = number,
                Description = $"Leadership: {o.MemberName} does not lead; nothing to move.",
                EquivalentCommand = "-",
            };
    }

    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var probed = await context.ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var leader = ReplacementContext.LeaderOf(probed);
        if (leader == context.Checkpoint.OldMemberId)
        {
            return false;
        }

        var note = leader.IsNone ? "no leader known" : $"the leader is {ReplacementContext.Name(probed, leader)}";
        context.Found($"{context.Checkpoint.MemberName} does not lead ({note}); nothing to move");
        return true;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var probed = await context.ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var successor = context.HealthyOthers(probed).OrderByDescending(p => p.Status!.RaftAppliedIndex).FirstOrDefault()
            ?? throw context.Refuse($"{checkpoint.MemberName} leads and no other member is healthy to hand leadership to");
        context.Report(Id, MemberReplacementProgressKind.Waiting, $"moving leadership from {checkpoint.MemberName} to {successor.Member.Name}");
        await LeadershipHandoff.MoveAsync(
            context.Client, checkpoint.OldMemberId, successor.Member.Id,
            async ct =>
            {
                var now = await context.ProbeAsync(checkHealth: false, ct).ConfigureAwait(false);
                var current = ReplacementContext.LeaderOf(now);
                return (current, ReplacementContext.Name(now, current));
            },
            context.Options.StopTimeout, context.Options.PollInterval, context.TimeProvider, context.TimedOut(Id, context.Options.StopTimeout), context.Waiting(Id),
            cancellationToken).ConfigureAwait(false);
        context.Did($"leadership moved from {checkpoint.MemberName} to {successor.Member.Name}", checkpoint with { LeaderMovedTo = successor.Member.Id });
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.NothingChanged(context, checkpoint);
}
