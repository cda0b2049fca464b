using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The library's <see cref="MemberReplacementOperation"/>: runs <see cref="ReplacementSteps.All"/> one at a time, each
/// first checking whether its work is already done (the cluster and the host are the source of truth), then journaling
/// before the next starts. This is the handle (status, progress, journal, failure advice); the steps are the classes
/// under Operations/Replacement and share a <see cref="ReplacementContext"/>.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim's wait handle is never used, so it holds nothing to dispose; the handle has no Dispose in its public shape.")]
internal sealed class MemberReplacementRun : MemberReplacementOperation
{
    private readonly IEtcdMemberHost _host;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly IProgress<MemberReplacementProgress>? _progress;
    private readonly ReplacementContext _context;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<MemberReplacementProgress> _events = [];
    private readonly List<Channel<MemberReplacementProgress>> _watchers = [];
    private readonly long _started;
    private MemberReplacementCheckpoint _checkpoint;
    private bool _idleAfterFailure;

    public MemberReplacementRun(
        IEtcdMaintenanceClient client, IEtcdMemberHost host, MemberReplacementOptions options, ILogger logger, TimeProvider timeProvider,
        IProgress<MemberReplacementProgress>? progress, string journalPath, MemberReplacementCheckpoint checkpoint)
    {
        _host = host;
        _logger = logger;
        _timeProvider = timeProvider;
        _progress = progress;
        _started = timeProvider.GetTimestamp();
        JournalPath = journalPath;
        _checkpoint = checkpoint;
        _context = ReplacementContext.ForRun(client, host, options, logger, timeProvider, journalPath, checkpoint, Report);
    }

    public override string Id => _checkpoint.OperationId;

    public override string JournalPath { get; }

    public override MemberReplacementStep CurrentStep => Volatile.Read(ref _checkpoint).NextStep;

    public override bool HasCompleted => Volatile.Read(ref _checkpoint).IsCompleted;

    public override MemberReplacementCheckpoint GetCheckpoint() => Volatile.Read(ref _checkpoint);

    public override async ValueTask<MemberReplacementResult> WaitForCompletionAsync(CancellationToken cancellationToken = default)
    {
        while (!HasCompleted)
        {
            // The safe point: between steps, after the last one was journaled.
            cancellationToken.ThrowIfCancellationRequested();
            await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        }

        return Result();
    }

    public override async ValueTask UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HasCompleted)
            {
                return;
            }

            var step = _checkpoint.NextStep;
            lock (_events)
            {
                _idleAfterFailure = false;
            }

            Report(step, MemberReplacementProgressKind.StepStarted, $"{ReplacementSteps.Label(step)}: started");
            ReplacementContext.StepOutcome outcome;
            try
            {
                var runner = ReplacementSteps.For(step);
                _context.Begin(_checkpoint);
                if (!await runner.IsDoneAsync(_context, cancellationToken).ConfigureAwait(false))
                {
                    await runner.RunAsync(_context, cancellationToken).ConfigureAwait(false);
                }

                outcome = _context.TakeOutcome(runner);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is EtcdException or IOException or UnauthorizedAccessException or InvalidOperationException or ManifestException or InvalidDataException or TimeoutException)
            {
                throw await FailAsync(step, ex).ConfigureAwait(false);
            }

            var next = ReplacementSteps.Next(step);
            var now = _timeProvider.GetUtcNow();
            var updated = outcome.Checkpoint with
            {
                NextStep = next,
                CompletedSteps = [.. outcome.Checkpoint.CompletedSteps, new MemberReplacementStepRecord(step, now, outcome.AlreadyDone, outcome.Note) { Node = _host.Name, RunMode = MemberHostRunMode.Of(_host) }],
                UpdatedAt = now,
                LastError = null,
            };
            await MemberReplacementJournal.WriteAsync(JournalPath, updated, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _checkpoint, updated);
            OperationsLog.ReplacementJournalWritten(_logger, Id, JournalPath, next);
            Report(step, outcome.AlreadyDone ? MemberReplacementProgressKind.StepSkipped : MemberReplacementProgressKind.StepCompleted,
                $"{ReplacementSteps.Label(step)}: {outcome.Note}");
            if (next == MemberReplacementStep.Completed)
            {
                Report(MemberReplacementStep.Completed, MemberReplacementProgressKind.Completed,
                    $"{_checkpoint.MemberName} replaced: member {_checkpoint.OldMemberId} -> {_checkpoint.NewMemberId}; old data dir kept at {_checkpoint.ArchivedDataDirectory ?? "(none existed)"}");
                CompleteWatchers();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async IAsyncEnumerable<MemberReplacementProgress> WatchProgressAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<MemberReplacementProgress>(new UnboundedChannelOptions { SingleReader = true });
        lock (_events)
        {
            foreach (var past in _events)
            {
                channel.Writer.TryWrite(past);
            }

            if (HasCompleted || _idleAfterFailure)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_events)
            {
                _watchers.Remove(channel);
            }
        }
    }

    internal MemberReplacementResult Result()
    {
        var checkpoint = GetCheckpoint();
        return new MemberReplacementResult(checkpoint.OperationId, checkpoint.MemberName, checkpoint.OldMemberId, checkpoint.NewMemberId ?? MemberId.None,
            checkpoint.ArchivedDataDirectory, checkpoint.Snapshot, _context.FinalCheck, checkpoint.CompletedSteps);
    }

    private async Task<MemberReplacementException> FailAsync(MemberReplacementStep step, Exception error)
    {
        var checkpoint = _checkpoint with { LastError = $"{step}: {error.Message}", UpdatedAt = _timeProvider.GetUtcNow() };
        try
        {
            await MemberReplacementJournal.WriteAsync(JournalPath, checkpoint, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _checkpoint, checkpoint);
        }
        catch (IOException)
        {
            // The journal still holds the last completed step, which is what a resume needs.
        }

        var continueAdvice = $"fix the cause above, then resume from journal {JournalPath} (MemberReplacementCoordinator.ResumeAsync); steps already done are recognised and skipped.";
        var rollbackAdvice = ReplacementSteps.All.FirstOrDefault(s => s.Id == step) is { } failed
            ? failed.RollbackAdvice(_context, checkpoint)
            : ReplacementAdvice.RemoveTheNewMember(_context, checkpoint);
        var message = $"Member replacement {Id} of {checkpoint.MemberName} stopped at step {(int)step} ({ReplacementSteps.Label(step)}): {error.Message} " +
                      $"Done so far: {Done(checkpoint)}. To continue: {continueAdvice} To roll back: {rollbackAdvice}";
        OperationsLog.ReplacementFailed(_logger, Id, step, error.Message);
        Report(step, MemberReplacementProgressKind.StepFailed, $"{ReplacementSteps.Label(step)} failed: {error.Message}");
        lock (_events)
        {
            _idleAfterFailure = true;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }

        return new MemberReplacementException(message, Id, step, JournalPath, continueAdvice, rollbackAdvice, error);
    }

    private static string Done(MemberReplacementCheckpoint checkpoint) => checkpoint.CompletedSteps.Count == 0
        ? "nothing"
        : string.Join(", ", checkpoint.CompletedSteps.Select(s => ReplacementSteps.Label(s.Step)));

    private void Report(MemberReplacementStep step, MemberReplacementProgressKind kind, string message)
    {
        var item = new MemberReplacementProgress(Id, step, kind, message, _timeProvider.GetElapsedTime(_started));
        OperationsLog.ReplacementProgress(_logger, Id, step, kind, message);
        lock (_events)
        {
            _events.Add(item);
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(item);
            }
        }

        _progress?.Report(item);
    }

    private void CompleteWatchers()
    {
        lock (_events)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }
}
