namespace EtcdMaintenance.Operations;

/// <summary>Promotes the learner to a voter, retrying while etcd says it is not in sync yet.</summary>
internal sealed class PromoteMemberStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.PromoteMember;

    public override string Label => "member promote";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return o.AsLearner
            ? new OperationStep
            {
                Number = number,
                Description = $"Promote the learner to a voting member (etcd refuses until it has about 90% of the leader's log: retried until {EtcdErrors.Format(o.PromoteTimeout)}).",
                EquivalentCommand = $"etcdctl --endpoints={o.OthersEndpoints} member promote <new-member-id>",
            }
            : new OperationStep { Number = number, Description = "Promotion: added as a voter; nothing to promote.", EquivalentCommand = "-" };
    }

    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var newId = context.RequireNewId(checkpoint);
        var member = (await context.ListAsync(cancellationToken).ConfigureAwait(false)).Find(newId)
            ?? throw context.Refuse($"the new member {newId} is not in the member list");
        if (member.IsLearner)
        {
            return false;
        }

        context.Found(checkpoint.AsLearner ? $"{checkpoint.MemberName} ({newId}) is a voting member already" : "added as a voter: nothing to promote");
        return true;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var newId = context.RequireNewId(checkpoint);
        await context.ChangeMemberAsync(Id, "member promote", context.Options.PromoteTimeout,
            () => context.Client.PromoteMemberAsync(newId, CancellationToken.None),
            async ct => (await context.ListAsync(ct).ConfigureAwait(false)).Find(newId) is { IsLearner: false },
            [EtcdErrorCode.MemberNotLearner], [EtcdErrorCode.LearnerNotReady], cancellationToken).ConfigureAwait(false);
        context.Did($"{checkpoint.MemberName} ({newId}) promoted to a voting member");
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.RemoveTheNewMember(context, checkpoint);
}
