namespace EtcdMaintenance.Operations;

/// <summary>Sets the new quota in one member's flag file (backup kept, atomic write), refused below the DB size and, unless forced, above 8 GiB.</summary>
internal sealed class PatchManifestStep(QuotaRaiseMemberPlan member) : IOperationStep<QuotaRaiseRun>
{
    public string Name => $"patch-{member.MemberId}";

    public OperationStep Describe(QuotaRaiseRun context, int number) => new OperationStep
    {
        Number = number,
        Description = $"Patch {member.ManifestPath} on {member.Host}: --quota-backend-bytes={context.Plan.NewQuota} (backup kept outside the manifests directory).",
        EquivalentCommand = $"sed -i 's/--quota-backend-bytes=[0-9]*/--quota-backend-bytes={context.Plan.NewQuota}/' {member.ManifestPath}",
    };

    /// <summary>Done when the flag file already has the new quota.</summary>
    public async ValueTask<bool> IsDoneAsync(QuotaRaiseRun context, CancellationToken cancellationToken) =>
        await context.ManifestHasNewQuotaAsync(context.HostOf(member), cancellationToken).ConfigureAwait(false);

    public async Task RunAsync(QuotaRaiseRun context, CancellationToken cancellationToken)
    {
        var host = context.HostOf(member);
        var view = await context.LoadViewAsync(member.MemberId, cancellationToken).ConfigureAwait(false);
        var manifest = await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        var saved = await host.SaveManifestAsync(context.WithNewQuota(manifest, view), cancellationToken: cancellationToken).ConfigureAwait(false);
        context.Backups[member.MemberId] = saved.BackupPath;
        context.Report(QuotaRaiseStage.ManifestPatched, member.Member, $"{member.Member}: patched {saved.Path}{(saved.BackupPath is null ? string.Empty : $" (backup {saved.BackupPath})")}");
    }
}
