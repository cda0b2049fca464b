using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The library's <see cref="MemberReplacementOperation"/>: runs the steps one at a time, each first checking whether its
/// work is already done (the cluster and the host are the source of truth), then journaling before the next starts.
/// This file is the handle (status, progress, journal, failure advice); the steps are in MemberReplacementRun.Steps.cs
/// and their shared checks in MemberReplacementRun.Helpers.cs.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim's wait handle is never used, so it holds nothing to dispose; the handle has no Dispose in its public shape.")]
internal sealed partial class MemberReplacementRun : MemberReplacementOperation
{
    private const string OperationName = "MemberReplacement";

    private readonly IEtcdMaintenanceClient _client;
    private readonly IEtcdMemberHost _host;
    private readonly MemberReplacementOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly IProgress<MemberReplacementProgress>? _progress;
    private readonly ConsistencyChecker _checker;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<MemberReplacementProgress> _events = [];
    private readonly List<Channel<MemberReplacementProgress>> _watchers = [];
    private readonly long _started;
    private readonly bool _useTls;
    private MemberReplacementCheckpoint _checkpoint;
    private ConsistencyReport? _finalCheck;
    private bool _idleAfterFailure;

    public MemberReplacementRun(
        IEtcdMaintenanceClient client, IEtcdMemberHost host, MemberReplacementOptions options, ILogger logger, TimeProvider timeProvider,
        IProgress<MemberReplacementProgress>? progress, string journalPath, MemberReplacementCheckpoint checkpoint)
    {
        _client = client;
        _host = host;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _progress = progress;
        _checker = new ConsistencyChecker(client, options.Consistency, logger, timeProvider);
        _started = timeProvider.GetTimestamp();
        _useTls = client.Endpoints.Any(e => e.UsesTls);
        JournalPath = journalPath;
        _checkpoint = checkpoint;
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

            Report(step, MemberReplacementProgressKind.StepStarted, $"{MemberReplacementPlanner.Describe(step)}: started");
            StepOutcome outcome;
            try
            {
                outcome = await RunStepAsync(step, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is EtcdException or IOException or UnauthorizedAccessException or InvalidOperationException or ManifestException or InvalidDataException or TimeoutException)
            {
                throw await FailAsync(step, ex).ConfigureAwait(false);
            }

            var next = Next(step);
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
                $"{MemberReplacementPlanner.Describe(step)}: {outcome.Note}");
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
            checkpoint.ArchivedDataDirectory, checkpoint.Snapshot, _finalCheck, checkpoint.CompletedSteps);
    }

    private static MemberReplacementStep Next(MemberReplacementStep step) => step switch
    {
        MemberReplacementStep.Verify => MemberReplacementStep.Completed,
        MemberReplacementStep.Completed => MemberReplacementStep.Completed,
        _ => step + 1,
    };

    private Task<StepOutcome> RunStepAsync(MemberReplacementStep step, CancellationToken cancellationToken) => step switch
    {
        MemberReplacementStep.Snapshot => SnapshotAsync(cancellationToken),
        MemberReplacementStep.MoveLeader => MoveLeaderAsync(cancellationToken),
        MemberReplacementStep.StopMember => StopMemberAsync(cancellationToken),
        MemberReplacementStep.RemoveMember => RemoveMemberAsync(cancellationToken),
        MemberReplacementStep.ArchiveDataDirectory => ArchiveDataDirectoryAsync(cancellationToken),
        MemberReplacementStep.AddMember => AddMemberAsync(cancellationToken),
        MemberReplacementStep.UpdateManifest => UpdateManifestAsync(cancellationToken),
        MemberReplacementStep.StartMember => StartMemberAsync(cancellationToken),
        MemberReplacementStep.WaitForCatchUp => WaitForCatchUpAsync(cancellationToken),
        MemberReplacementStep.PromoteMember => PromoteMemberAsync(cancellationToken),
        MemberReplacementStep.Verify => VerifyAsync(cancellationToken),
        _ => throw new InvalidOperationException($"The journal's next step {step} is not a step this library knows."),
    };

    private EtcdSafetyCheckException Refuse(string what, EtcdException? inner = null) =>
        new($"{OperationName} {Id}: {what}.", inner?.Endpoint, OperationName);

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

        var (continueAdvice, rollbackAdvice) = Advice(step, checkpoint);
        var message = $"Member replacement {Id} of {checkpoint.MemberName} stopped at step {(int)step} ({MemberReplacementPlanner.Describe(step)}): {error.Message} " +
                      $"Done so far: {Done(checkpoint)}. To continue: {continueAdvice} To roll back: {rollbackAdvice}";
        OperationsLog.ReplacementFailed(_logger, Id, step, error.Message);
        Report(step, MemberReplacementProgressKind.StepFailed, $"{MemberReplacementPlanner.Describe(step)} failed: {error.Message}");
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
        : string.Join(", ", checkpoint.CompletedSteps.Select(s => MemberReplacementPlanner.Describe(s.Step)));

    private (string Continue, string Rollback) Advice(MemberReplacementStep step, MemberReplacementCheckpoint checkpoint)
    {
        var resume = $"fix the cause above, then resume from the journal: MemberReplacementCoordinator.ResumeAsync(\"{JournalPath}\", host); steps already done are recognised and skipped.";
        var setAside = $"Then move the journal {JournalPath} out of {Path.GetDirectoryName(JournalPath)} (while it is there, it blocks other replacements).";
        var old = checkpoint.OldMemberId;
        var rollback = step switch
        {
            <= MemberReplacementStep.MoveLeader =>
                $"nothing was changed in the cluster ({checkpoint.MemberName} still runs as {old}). {setAside}",
            MemberReplacementStep.StopMember or MemberReplacementStep.RemoveMember =>
                $"{checkpoint.MemberName} is still member {old} with its data dir untouched: start it again on {_host.Name} ({HostCommands.For(_host).Start}). {setAside}",
            MemberReplacementStep.ArchiveDataDirectory or MemberReplacementStep.AddMember =>
                $"member {old} is removed and cannot come back with its old identity; the cluster runs with {checkpoint.VoterCount - 1} voting members until the replacement is added. " +
                $"Continuing is the way back to {checkpoint.VoterCount}. The data dir {(checkpoint.ArchivedDataDirectory is { } a ? $"was moved to {a}" : $"is still at {checkpoint.DataDirectory}")}; the snapshot is {checkpoint.Snapshot?.Path ?? "not taken"}. {setAside}",
            _ =>
                $"member {old} is removed; to take the new member {checkpoint.NewMemberId} out again: stop it on {_host.Name}, then 'etcdctl member remove {checkpoint.NewMemberId}' " +
                $"(the cluster then runs with {checkpoint.VoterCount - 1} voting members). The old data dir is at {checkpoint.ArchivedDataDirectory ?? "(none existed)"} and the snapshot at {checkpoint.Snapshot?.Path ?? "(none)"}. {setAside}",
        };
        return (resume, rollback);
    }

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

    private sealed record StepOutcome(MemberReplacementCheckpoint Checkpoint, bool AlreadyDone, string Note);
}
