using EtcdMaintenance.Hosting;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The member replacement's <see cref="IStepJournal{TContext}"/>: its own journal (<see cref="MemberReplacementCheckpoint"/>,
/// written by <see cref="MemberReplacementJournal"/>), which records with every step what the step did, the node it ran
/// against and how etcd runs there, and the journal's next step. Reports the step's start and end as progress.
/// </summary>
internal sealed class ReplacementJournalRecorder(
    string path, MemberReplacementCheckpoint checkpoint, IEtcdMemberHost host, ILogger logger, TimeProvider timeProvider,
    Action<MemberReplacementStep, MemberReplacementProgressKind, string> report) : IStepJournal<ReplacementContext>
{
    public const string Kind = "MemberReplacement";

    private MemberReplacementCheckpoint _journal = checkpoint;

    /// <summary>The journal as last written.</summary>
    public MemberReplacementCheckpoint Journal => Volatile.Read(ref _journal);

    public OperationCheckpoint Checkpoint => CommonView(Journal);

    /// <summary>A journal in the common checkpoint shape: every step before its next step is done.</summary>
    public static OperationCheckpoint CommonView(MemberReplacementCheckpoint journal) => new()
    {
        OperationId = journal.OperationId,
        Kind = Kind,
        StepNames = [.. ReplacementSteps.All.Select(s => s.Name)],
        CompletedSteps = [.. ReplacementSteps.All.TakeWhile(s => s.Id != journal.NextStep).Select(s => s.Name)],
        CreatedAt = journal.CreatedAt,
        UpdatedAt = journal.UpdatedAt,
        LastError = journal.LastError,
    };

    public void Starting(ReplacementContext context, IOperationStep<ReplacementContext> step)
    {
        context.Begin(Journal);
        var id = Id(step);
        report(id, MemberReplacementProgressKind.StepStarted, $"{ReplacementSteps.Label(id)}: started");
    }

    public async Task DoneAsync(ReplacementContext context, IOperationStep<ReplacementContext> step, bool alreadyDone)
    {
        var id = Id(step);
        var outcome = context.TakeOutcome((ReplacementStep)step);
        var next = ReplacementSteps.Next(id);
        var now = timeProvider.GetUtcNow();
        var record = new MemberReplacementStepRecord
        {
            Step = id,
            CompletedAt = now,
            AlreadyDone = outcome.AlreadyDone,
            Note = outcome.Note,
            Node = host.Name,
            RunMode = MemberHostRunMode.Of(host),
        };
        var updated = outcome.Checkpoint with
        {
            NextStep = next,
            CompletedSteps = [.. outcome.Checkpoint.CompletedSteps, record],
            UpdatedAt = now,
            LastError = null,
        };
        await MemberReplacementJournal.WriteAsync(path, updated, CancellationToken.None).ConfigureAwait(false);
        Volatile.Write(ref _journal, updated);
        OperationsLog.ReplacementJournalWritten(logger, updated.OperationId, path, next);
        report(id, outcome.AlreadyDone ? MemberReplacementProgressKind.StepSkipped : MemberReplacementProgressKind.StepCompleted,
            $"{ReplacementSteps.Label(id)}: {outcome.Note}");
    }

    public async Task FailedAsync(ReplacementContext context, IOperationStep<ReplacementContext> step, string message, Exception error)
    {
        var failed = Journal with { LastError = $"{Id(step)}: {error.Message}", UpdatedAt = timeProvider.GetUtcNow() };
        try
        {
            await MemberReplacementJournal.WriteAsync(path, failed, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _journal, failed);
        }
        catch (IOException)
        {
            // The journal still holds the last completed step, which is what a resume needs.
        }
    }

    private static MemberReplacementStep Id(IOperationStep<ReplacementContext> step) => ((ReplacementStep)step).Id;
}
