using EtcdMaintenance.Hosting;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The library's <see cref="MemberReplacementOperation"/>: the shared step runner (<see cref="StepOperation{TContext, TResult, TProgress}"/>)
/// over <see cref="ReplacementSteps.All"/>, recording every step in the replacement's journal
/// (<see cref="ReplacementJournalRecorder"/>) before the next starts, with its progress in a <see cref="ProgressFeed{T}"/>.
/// This class adds what is the replacement's own: the journal's view, the result, and the failure advice.
/// </summary>
internal sealed class MemberReplacementRun : MemberReplacementOperation
{
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ProgressFeed<MemberReplacementProgress> _feed;
    private readonly ReplacementJournalRecorder _journal;
    private readonly StepOperation<ReplacementContext, MemberReplacementResult, MemberReplacementProgress> _run;
    private readonly long _started;

    public MemberReplacementRun(
        IEtcdMaintenanceClient client, IEtcdMemberHost host, MemberReplacementOptions options, ILogger logger, TimeProvider timeProvider,
        IProgress<MemberReplacementProgress>? progress, string journalPath, MemberReplacementCheckpoint checkpoint)
    {
        _logger = logger;
        _timeProvider = timeProvider;
        _started = timeProvider.GetTimestamp();
        _feed = new ProgressFeed<MemberReplacementProgress>(progress);
        JournalPath = journalPath;
        _journal = new ReplacementJournalRecorder(journalPath, checkpoint, host, logger, timeProvider, Report);
        var context = ReplacementContext.ForRun(client, host, options, logger, timeProvider, journalPath, checkpoint, Report);
        _run = new StepOperation<ReplacementContext, MemberReplacementResult, MemberReplacementProgress>(
            context, ReplacementSteps.All, _journal, _feed, CompleteAsync, FailedAsync, logger);
        if (checkpoint.IsCompleted)
        {
            _feed.End();
        }
    }

    public override string Id => _journal.Journal.OperationId;

    public override string JournalPath { get; }

    public override MemberReplacementStep CurrentStep => _journal.Journal.NextStep;

    public override bool HasCompleted => _journal.Journal.IsCompleted;

    public override MemberReplacementCheckpoint GetCheckpoint() => _journal.Journal;

    public override ValueTask UpdateStatusAsync(CancellationToken cancellationToken = default) => _run.UpdateStatusAsync(cancellationToken);

    public override ValueTask<MemberReplacementResult> WaitForCompletionAsync(CancellationToken cancellationToken = default) => _run.WaitForCompletionAsync(cancellationToken);

    public override IAsyncEnumerable<MemberReplacementProgress> WatchProgressAsync(CancellationToken cancellationToken = default) => _feed.WatchAsync(cancellationToken);

    private Task<MemberReplacementResult> CompleteAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var journal = _journal.Journal;
        Report(MemberReplacementStep.Completed, MemberReplacementProgressKind.Completed,
            $"{journal.MemberName} replaced: member {journal.OldMemberId} -> {journal.NewMemberId}; old data dir kept at {journal.ArchivedDataDirectory ?? "(none existed)"}");
        return Task.FromResult(new MemberReplacementResult
        {
            OperationId = journal.OperationId,
            MemberName = journal.MemberName,
            OldMemberId = journal.OldMemberId,
            NewMemberId = journal.NewMemberId ?? MemberId.None,
            ArchivedDataDirectory = journal.ArchivedDataDirectory,
            Snapshot = journal.Snapshot,
            FinalCheck = context.FinalCheck,
            Steps = journal.CompletedSteps,
        });
    }

    /// <summary>A step failed (the journal already records it): the error says what is done, how to continue and how to roll back.</summary>
    private Task<MemberReplacementResult?> FailedAsync(ReplacementContext context, string where, Exception error)
    {
        var journal = _journal.Journal;
        var step = journal.NextStep;
        var continueAdvice = $"fix the cause above, then resume from journal {JournalPath} (MemberReplacementCoordinator.ResumeAsync); steps already done are recognised and skipped.";
        var rollbackAdvice = ReplacementSteps.For(step).RollbackAdvice(context, journal);
        var message = $"Member replacement {Id} of {journal.MemberName} stopped at step {(int)step} ({ReplacementSteps.Label(step)}): {error.Message} " +
                      $"Done so far: {Done(journal)}. To continue: {continueAdvice} To roll back: {rollbackAdvice}";
        OperationsLog.ReplacementFailed(_logger, Id, step, error.Message);
        Report(step, MemberReplacementProgressKind.StepFailed, $"{ReplacementSteps.Label(step)} failed: {error.Message}");
        return Task.FromException<MemberReplacementResult?>(new MemberReplacementException(message, Id, step, JournalPath, continueAdvice, rollbackAdvice, error));
    }

    private static string Done(MemberReplacementCheckpoint journal) => journal.CompletedSteps.Count == 0
        ? "nothing"
        : string.Join(", ", journal.CompletedSteps.Select(s => ReplacementSteps.Label(s.Step)));

    private void Report(MemberReplacementStep step, MemberReplacementProgressKind kind, string message)
    {
        var item = new MemberReplacementProgress
        {
            OperationId = Id,
            Step = step,
            Kind = kind,
            Message = message,
            Elapsed = _timeProvider.GetElapsedTime(_started),
        };
        OperationsLog.ReplacementProgress(_logger, Id, step, kind, message);
        _feed.Publish(item);
    }
}
