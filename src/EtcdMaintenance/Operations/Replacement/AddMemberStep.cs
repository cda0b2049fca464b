namespace EtcdMaintenance.Operations;

/// <summary>
/// Adds the member back with its peer URLs (as a learner by default). An add whose peer URLs exist already is the same
/// add: its ID is reused. Refuses while the old member is listed, another learner exists, or a member waits to start.
/// </summary>
internal sealed class AddMemberStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.AddMember;

    public override string Label => "member add";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        var peers = string.Join(",", o.PeerUrls);
        return new OperationStep
        {
            Number = number,
            Description = $"Add {o.MemberName} back with peer URLs {peers} {(o.AsLearner ? "as a learner (non-voting until promoted)" : "as a voting member")}; an add whose peer URL exists already is the same add (its ID is reused).",
            EquivalentCommand = $"etcdctl --endpoints={o.OthersEndpoints} member add {o.MemberName} --peer-urls={peers}{(o.AsLearner ? " --learner" : string.Empty)}",
        };
    }

    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var list = await context.ListAsync(cancellationToken).ConfigureAwait(false);
        if (list.Find(checkpoint.OldMemberId) is not null)
        {
            throw context.Refuse($"the old member {checkpoint.OldMemberId} is still in the member list: etcd's rule is remove before add");
        }

        if (ReplacementContext.FindOurs(list, checkpoint) is not { } existing)
        {
            return false;
        }

        context.Found($"a member with peer URLs {string.Join(",", checkpoint.PeerUrls)} exists already ({existing.Id}{(existing.IsLearner ? ", learner" : string.Empty)}): the same add, its ID is reused",
            checkpoint with { NewMemberId = existing.Id });
        return true;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var list = await context.ListAsync(cancellationToken).ConfigureAwait(false);
        if (checkpoint.AsLearner && list.Members.FirstOrDefault(m => m.IsLearner) is { } learner)
        {
            throw context.Refuse($"member {learner.Id} is a learner already and etcd allows one at a time: promote or remove it first");
        }

        if (list.Members.FirstOrDefault(m => !m.IsStarted) is { } waiting)
        {
            throw context.Refuse($"member {waiting.Id} (peer URLs {string.Join(",", waiting.PeerUrls)}) was added but has not started: start or remove it first");
        }

        var probed = await context.ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        if (!checkpoint.AsLearner)
        {
            // A new voter counts towards quorum before it has started: every current voter must be up.
            var down = probed.Probes.Where(p => !p.Member.IsLearner && p.IsHealthy != true).Select(p => p.Member.Name).ToList();
            if (down.Count > 0)
            {
                throw context.Refuse($"adding a voter while {string.Join(", ", down)} is down could cost quorum; bring it back first (or add as a learner)");
            }
        }

        await context.ChangeMemberAsync(Id, "member add", context.Options.MemberChangeTimeout,
            () => context.Client.AddMemberAsync(checkpoint.PeerUrls, checkpoint.AsLearner, CancellationToken.None),
            async ct => ReplacementContext.FindOurs(await context.ListAsync(ct).ConfigureAwait(false), checkpoint) is not null,
            [EtcdErrorCode.PeerUrlExists], [], cancellationToken).ConfigureAwait(false);
        var added = ReplacementContext.FindOurs(await context.ListAsync(cancellationToken).ConfigureAwait(false), checkpoint)
            ?? throw context.Refuse($"member add succeeded but no member with peer URLs {string.Join(",", checkpoint.PeerUrls)} is listed");
        context.Did($"{checkpoint.MemberName} added back as member {added.Id} ({(added.IsLearner ? "learner" : "voter")}) with peer URLs {string.Join(",", checkpoint.PeerUrls)}",
            checkpoint with { NewMemberId = added.Id });
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.ContinueToAdd(context, checkpoint);
}
