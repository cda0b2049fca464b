namespace EtcdMaintenance.Operations;

/// <summary>Compacts (physically) at the plan's revision; a compaction already done is recognised.</summary>
internal sealed class CompactStep : IOperationStep<SpaceRecoveryRun>
{
    public string Name => "compact";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => context.Plan.CompactRevision is { } revision
        ? new OperationStep
        {
            Number = number,
            Description = $"Compact the history at {context.Options.Compaction.Describe()} ({revision}), waiting until it is physically applied.",
            EquivalentCommand = $"etcdctl --endpoints={context.AllEndpoints} compact {revision} --physical",
        }
        : new OperationStep { Number = number, Description = "Nothing to compact.", EquivalentCommand = "-" };

    public ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        if (context.Plan.CompactRevision is not { } revision)
        {
            context.Report(SpaceRecoveryStage.Compacted, null, "nothing to compact");
            return;
        }

        context.Report(SpaceRecoveryStage.Compacting, null, $"compacting at revision {revision} (physical)");
        var result = await context.Client.CompactAsync(revision, physical: true, cancellationToken).ConfigureAwait(false);
        context.Report(SpaceRecoveryStage.Compacted, null, result.AlreadyCompacted ? $"already compacted at revision {revision}" : $"compacted at revision {revision}");
        context.CompactedRevision = revision;
    }
}
