using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>Starts the member through its host, once its manifest joins the existing cluster and its binary can join the cluster's version.</summary>
internal sealed class StartMemberStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.StartMember;

    public override string Label => "start member";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return new OperationStep
        {
            Number = number,
            Description = $"Start {o.MemberName} on {o.HostName} from its manifest, on an empty data dir.",
            EquivalentCommand = o.Commands.Start,
        };
    }

    /// <summary>Refuses when the manifest would bootstrap a new cluster; done when the host runs the member.</summary>
    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var host = context.Host;
        var manifest = await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        if (manifest.GetInitialClusterState() != InitialClusterState.Existing)
        {
            throw context.Refuse($"{host.ManifestPath} no longer says --initial-cluster-state=existing (regenerated?); the member would try to bootstrap a new cluster");
        }

        if (!await host.IsStartedAsync(CancellationToken.None).ConfigureAwait(false))
        {
            return false;
        }

        context.Found($"{context.Checkpoint.MemberName} already started on {host.Name}");
        return true;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var host = context.Host;
        var manifest = await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        var clusterVersion = MemberBinaryCheck.ClusterVersion((await context.Client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false)).Reachable);
        var binary = await MemberBinaryCheck.CheckAsync(host, manifest, clusterVersion, checkpoint.MemberName, cancellationToken).ConfigureAwait(false);
        if (!binary.Passed)
        {
            throw context.Refuse(binary.Detail.TrimEnd('.'));
        }

        await host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        context.Did($"{checkpoint.MemberName} started on {host.Name} from {host.ManifestPath}");
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.RemoveTheNewMember(context, checkpoint);
}
