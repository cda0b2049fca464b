namespace EtcdMaintenance.Operations;

/// <summary>Waits until the member answers as the new member, has applied the log to near the leader's index, and (a voter) has everyone's hash.</summary>
internal sealed class WaitForCatchUpStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.WaitForCatchUp;

    public override string Label => "wait for catch-up";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return new OperationStep
        {
            Number = number,
            Description = $"Wait until it answers as the new member and has applied the log to within {o.CatchUpMaxLag} entries of the leader" + (o.AsLearner ? "." : ", and its hash equals the leader's."),
            EquivalentCommand = $"etcdctl --endpoints={o.AllEndpoints} endpoint status -w table   # RAFT APPLIED INDEX close to the leader's RAFT INDEX" + (o.AsLearner ? string.Empty : $" && etcdctl --endpoints={o.AllEndpoints} endpoint hashkv"),
        };
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var host = context.Host;
        var newId = context.RequireNewId(checkpoint);
        var endpoint = (context.MemberEndpoints(checkpoint) is [var first, ..] ? first : null)
            ?? throw context.Refuse($"{checkpoint.MemberName} has no client URL to watch it on (no --advertise-client-urls)");
        EndpointStatus? last = null;
        await context.WaitUntilAsync(Id, context.Options.CatchUpTimeout, async ct =>
        {
            if (!await host.IsStartedAsync(ct).ConfigureAwait(false))
            {
                throw context.Refuse($"etcd is not running on {host.Name} any more (it exited: see its log){(host is Hosting.LocalProcessEtcdHost local ? $" {local.LogFile}" : string.Empty)}");
            }

            EndpointStatus status;
            try
            {
                status = await context.Client.GetStatusAsync(endpoint, ct).ConfigureAwait(false);
            }
            catch (EtcdException ex)
            {
                return $"{endpoint} does not answer yet ({ex.ErrorCode})";
            }

            if (status.Header?.ClusterId != checkpoint.ClusterId || status.MemberId != newId)
            {
                return $"{endpoint} answers as member {status.MemberId} of cluster {status.Header?.ClusterIdHex}, not as {newId}";
            }

            var leaderIndex = await context.LeaderIndexAsync(ct).ConfigureAwait(false);
            if (leaderIndex > status.RaftAppliedIndex && leaderIndex - status.RaftAppliedIndex > context.Options.CatchUpMaxLag)
            {
                return $"applied raft index {status.RaftAppliedIndex} of the leader's {leaderIndex}";
            }

            last = status;
            if (checkpoint.AsLearner)
            {
                // etcd serves learners Status only: their hash is compared once promoted (Verify).
                return null;
            }

            return await context.HashMismatchAsync(newId, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        context.Did(checkpoint.AsLearner
            ? $"{checkpoint.MemberName} ({newId}) caught up: applied raft index {last?.RaftAppliedIndex}"
            : $"{checkpoint.MemberName} ({newId}) caught up: applied raft index {last?.RaftAppliedIndex}, same hash as the other members");
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.RemoveTheNewMember(context, checkpoint);
}
