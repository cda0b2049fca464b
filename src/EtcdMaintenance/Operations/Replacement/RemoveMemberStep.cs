namespace EtcdMaintenance.Operations;

/// <summary>Removes the old member (only the one this operation was started for, stopped, and with quorum kept without it).</summary>
internal sealed class RemoveMemberStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.RemoveMember;

    public override string Label => "member remove";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return new OperationStep
        {
            Number = number,
            Description = $"Remove member {o.MemberId} ({o.MemberName}) from the cluster (etcd refuses for about 5 s after peers connect: retried until accepted).",
            EquivalentCommand = $"etcdctl --endpoints={o.OthersEndpoints} member remove {o.MemberId}",
        };
    }

    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        if ((await context.ListAsync(cancellationToken).ConfigureAwait(false)).Find(context.Checkpoint.OldMemberId) is not null)
        {
            return false;
        }

        context.Found($"member {context.Checkpoint.OldMemberId} is not in the member list: already removed");
        return true;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var probed = await context.ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        if (probed.MemberList.Find(checkpoint.OldMemberId) is not { } old)
        {
            context.Found($"member {checkpoint.OldMemberId} is not in the member list: already removed");
            return;
        }

        // Never remove anything but the member this operation was started for.
        if ((old.IsStarted && old.Name != checkpoint.MemberName) || !MemberReplacementPlanner.SamePeerUrls(old.PeerUrls, checkpoint.OldPeerUrls))
        {
            throw context.Refuse($"member {old.Id} is now '{old.Name}' with peer URLs {string.Join(",", old.PeerUrls)}, not the {checkpoint.MemberName} ({string.Join(",", checkpoint.OldPeerUrls)}) this operation was started for; nothing was removed");
        }

        if (await context.EndpointsAnsweringAsync(context.MemberEndpoints(checkpoint), cancellationToken).ConfigureAwait(false) is { } still)
        {
            throw context.Refuse($"{checkpoint.MemberName} still answers on {still}: it must be stopped before it is removed");
        }

        context.EnsureQuorumWithout(probed, checkpoint.OldMemberId, "removing");
        await context.ChangeMemberAsync(Id, "member remove", context.Options.MemberChangeTimeout,
            () => context.Client.RemoveMemberAsync(checkpoint.OldMemberId, CancellationToken.None),
            async ct => (await context.ListAsync(ct).ConfigureAwait(false)).Find(checkpoint.OldMemberId) is null,
            [EtcdErrorCode.MemberNotFound], [], cancellationToken).ConfigureAwait(false);
        var after = await context.ListAsync(cancellationToken).ConfigureAwait(false);
        if (after.Find(checkpoint.OldMemberId) is not null)
        {
            throw context.Refuse($"member {checkpoint.OldMemberId} is still in the member list after member remove");
        }

        context.Did($"member {checkpoint.OldMemberId} ({checkpoint.MemberName}) removed; {after.Voters.Count} voting member(s) left");
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.StartItAgain(context, checkpoint);
}
