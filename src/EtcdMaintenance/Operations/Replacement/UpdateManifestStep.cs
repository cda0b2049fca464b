using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>Sets <c>--initial-cluster-state=existing</c> and an <c>--initial-cluster</c> rebuilt from the live member list in the member's manifest.</summary>
internal sealed class UpdateManifestStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.UpdateManifest;

    public override string Label => "update manifest";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return new OperationStep
        {
            Number = number,
            Description = $"Set --initial-cluster-state=existing and --initial-cluster (the live members plus {o.MemberName}, nothing else) in {o.ManifestPath}.",
            EquivalentCommand = $"# edit {o.ManifestPath}: --initial-cluster-state=existing --initial-cluster={o.InitialCluster ?? "<live members>"}",
        };
    }

    /// <summary>Saving an unchanged manifest writes nothing and is recorded as already done, so there is no separate check.</summary>
    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var host = context.Host;
        var newId = context.RequireNewId(checkpoint);
        var list = await context.ListAsync(cancellationToken).ConfigureAwait(false);
        if (list.Find(newId) is null)
        {
            throw context.Refuse($"the new member {newId} is not in the member list (removed by someone else?)");
        }

        var initialCluster = MemberReplacementPlanner.RebuildInitialCluster(list.Members, checkpoint.MemberName, checkpoint.PeerUrls, newId);
        var manifest = await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        if (manifest.GetName() != checkpoint.MemberName)
        {
            throw context.Refuse($"{host.ManifestPath} now runs '{manifest.GetName()}', not {checkpoint.MemberName}; nothing was edited");
        }

        var edited = manifest.SetInitialClusterState(InitialClusterState.Existing).SetInitialCluster(initialCluster);
        var saved = await host.SaveManifestAsync(edited, dryRun: false, CancellationToken.None).ConfigureAwait(false);
        if (saved.Written)
        {
            context.Did($"{saved.Path}: --initial-cluster-state=existing --initial-cluster={initialCluster}{(saved.BackupPath is null ? string.Empty : $" (backup {saved.BackupPath})")}");
        }
        else
        {
            context.Found($"{saved.Path} already has --initial-cluster-state=existing --initial-cluster={initialCluster}");
        }
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.RemoveTheNewMember(context, checkpoint);
}
