using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>Streams a snapshot of a healthy member other than the one replaced to an owner-only file and checks its SHA-256.</summary>
internal sealed class SnapshotStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.Snapshot;

    public override string Label => "snapshot";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return new OperationStep
        {
            Number = number,
            Description = $"Snapshot {o.SnapshotSourceName ?? "a healthy member"} to a file only the owner can read, and check the SHA-256 etcd appends.",
            EquivalentCommand = $"etcdctl --endpoints={o.SnapshotSourceEndpoint ?? "<healthy-member>"} snapshot save {o.SnapshotPath} && chmod 600 {o.SnapshotPath} && etcdctl snapshot status {o.SnapshotPath} -w table",
        };
    }

    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        if (context.Checkpoint.Snapshot is { } existing && File.Exists(existing.Path)
            && await ReplacementContext.HashFileAsync(existing.Path, cancellationToken).ConfigureAwait(false) == existing.Sha256)
        {
            context.Found($"snapshot {existing.Path} already taken and verified (sha256 {existing.Sha256})");
            return true;
        }

        return false;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var probed = await context.ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var source = context.HealthyOthers(probed).OrderBy(p => p.Status!.IsLeader).ThenByDescending(p => p.Status!.RaftAppliedIndex).FirstOrDefault()
            ?? throw context.Refuse($"no healthy member other than {checkpoint.MemberName} answers to take the snapshot from");

        var directory = Path.GetFullPath(context.Options.EffectiveSnapshotDirectory);
        MemberReplacementJournal.EnsureDirectory(directory);
        var path = Path.Combine(directory, $"{checkpoint.OperationId}.snapshot.db");
        var partial = path + ".part";
        File.Delete(partial);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        SnapshotResult result;
        var stream = new FileStream(partial, fileOptions);
        await using (stream.ConfigureAwait(false))
        {
            result = await context.Client.SnapshotAsync(source.Endpoint!, stream, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var onDisk = await ReplacementContext.HashFileAsync(partial, cancellationToken).ConfigureAwait(false);
        if (onDisk != result.Sha256)
        {
            throw context.Refuse($"the snapshot written to {partial} does not match the SHA-256 etcd sent ({onDisk ?? "no valid trailer"} on disk, {result.Sha256} received): the disk may be failing");
        }

        File.Move(partial, path, overwrite: true);
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.FsyncDirectory(directory);
        }

        // etcd 3.4 sends no revision with the snapshot stream: the source's revision just before is a lower bound.
        var revision = result.Revision > 0 ? result.Revision : source.Status!.Revision ?? 0;
        var snapshot = new MemberReplacementSnapshot
        {
            Path = path,
            Sha256 = result.Sha256,
            Size = result.Size,
            Revision = revision,
            Source = source.Member.Name,
        };
        context.Did($"snapshot of {source.Member.Name} at revision {revision} saved to {path} ({SpaceRecovery.Size(result.Size)}, sha256 {result.Sha256}, owner-only)",
            checkpoint with { Snapshot = snapshot });
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.NothingChanged(context, checkpoint);
}
