namespace EtcdMaintenance.Operations;

/// <summary>Moves the member's data dir aside (renamed with a timestamp, never deleted), once nothing runs on it.</summary>
internal sealed class ArchiveDataDirectoryStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.ArchiveDataDirectory;

    public override string Label => "move data dir aside";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var dataDirectory = context.Outline.DataDirectory;
        return new OperationStep
        {
            Number = number,
            Description = $"Move the data dir {dataDirectory} aside (renamed with a timestamp, never deleted).",
            EquivalentCommand = $"mv {dataDirectory} {dataDirectory}.replaced-$(date -u +%Y%m%dT%H%M%SZ)",
        };
    }

    /// <summary>Refuses while an etcd runs on the data dir; done when the journaled archive exists and the data dir does not.</summary>
    public override async ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        if (await context.Host.IsStartedAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw context.Refuse($"{checkpoint.MemberName} runs again on {context.Host.Name}: stop it before its data dir is moved aside");
        }

        if (await context.EndpointsAnsweringAsync(context.MemberEndpoints(checkpoint), cancellationToken).ConfigureAwait(false) is { } still)
        {
            throw context.Refuse($"{still} answers: an etcd still runs there, so its data dir cannot be moved aside");
        }

        if (checkpoint.ArchivedDataDirectory is { } done && Directory.Exists(done) && !Directory.Exists(checkpoint.DataDirectory))
        {
            context.Found($"{checkpoint.DataDirectory} already moved to {done}");
            return true;
        }

        return false;
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var dataDirectory = checkpoint.DataDirectory;
        var archived = await context.Host.ArchiveDataDirectoryAsync(dataDirectory, CancellationToken.None).ConfigureAwait(false);
        if (archived is not null)
        {
            context.Did($"{dataDirectory} moved to {archived} (kept, never deleted)", checkpoint with { ArchivedDataDirectory = archived });
            return;
        }

        // No data dir: moved by a run that stopped before journaling it (find its archive), or there was none.
        var found = ReplacementContext.FindArchive(dataDirectory, checkpoint.CreatedAt);
        context.Found(found is null ? $"{dataDirectory} does not exist: nothing to move aside" : $"{dataDirectory} was already moved to {found}",
            checkpoint with { ArchivedDataDirectory = found });
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.ContinueToAdd(context, checkpoint);
}
