namespace EtcdMaintenance.Operations;

/// <summary>
/// Defragments one member, judged again on its state after the compaction, then waits until it is healthy and caught up
/// (a failure there is this member's, not the next one's).
/// </summary>
internal sealed class DefragmentMemberStep(MemberPlan member) : IOperationStep<SpaceRecoveryRun>
{
    public string Name => $"defragment-{member.Id}";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => new OperationStep
    {
        Number = number,
        Description = $"Defragment {member.Name}{(member.IsLeader ? " (the leader, last)" : string.Empty)} because {member.Reason}; wait until it is healthy and caught up before the next member.",
        EquivalentCommand = $"etcdctl --endpoints={member.Endpoint} --command-timeout=120s defrag",
    };

    public ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        context.CurrentMember = member;
        var endpoint = context.EndpointOf(member.Id);
        var before = await context.StatusWhenCaughtUpAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var decision = context.Options.DefragmentWhen.Evaluate(before);
        if (!decision.Defragment)
        {
            context.Report(SpaceRecoveryStage.DefragmentSkipped, member.Name, $"{member.Name}: not worth it after compaction ({decision.Reason})");
            context.Members[member.Id] = SpaceRecoveryRun.NotDefragmented(member, decision.Reason, before.DbSize);
            return;
        }

        context.Report(SpaceRecoveryStage.DefragmentStarted, member.Name, $"defragmenting {member.Name} ({SpaceRecovery.Size(before.DbSize)})");
        var result = await context.Client.DefragmentAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var after = await context.Client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
        context.Report(SpaceRecoveryStage.DefragmentCompleted, member.Name,
            $"defragmented {member.Name}: {SpaceRecovery.Size(before.DbSize)} -> {SpaceRecovery.Size(after.DbSize)} in {result.Elapsed.TotalSeconds:0.0} s");

        context.Report(SpaceRecoveryStage.WaitingForMember, endpoint.Text, $"waiting until {endpoint} is healthy and caught up");
        await context.StatusWhenCaughtUpAsync(endpoint, cancellationToken).ConfigureAwait(false);
        context.Members[member.Id] = new MemberSpaceReport
        {
            Name = member.Name,
            Id = member.Id,
            Defragmented = true,
            DbSizeBefore = before.DbSize,
            DbSizeAfter = after.DbSize,
            DbSizeInUseAfter = after.DbSizeInUse,
            Elapsed = result.Elapsed,
        };
        context.CurrentMember = null;
    }
}
