using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Runs a list of <see cref="IOperationStep{TContext}"/> in order, one per <see cref="UpdateStatusAsync"/>: a step already
/// recorded as done, or whose <see cref="IOperationStep{TContext}.IsDoneAsync"/> says so, is skipped; otherwise it runs.
/// Every step is recorded in the <see cref="IStepJournal{TContext}"/> (written, when it has a path) before the next starts;
/// a failure or a cancellation stops the run at that step's boundary, and the journal records the failure with the step
/// and what was done before it. Once every step is done, <c>complete</c> builds the result (in the same call as the last step).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim's wait handle is never used, so it holds nothing to dispose; the handle has no Dispose in its public shape.")]
internal sealed class StepOperation<TContext, TResult, TProgress> : EtcdOperation<TResult, TProgress>
    where TResult : class
{
    private readonly TContext _context;
    private readonly IReadOnlyList<IOperationStep<TContext>> _steps;
    private readonly IStepJournal<TContext> _journal;
    private readonly ProgressFeed<TProgress> _feed;
    private readonly Func<TContext, CancellationToken, Task<TResult>> _complete;
    private readonly Func<TContext, string, Exception, Task<TResult?>> _failed;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private TResult? _result;

    /// <summary>A run recorded in an <see cref="OperationCheckpoint"/>.</summary>
    /// <param name="context">The state the steps share.</param>
    /// <param name="steps">The steps, in order (their names are those of <paramref name="checkpoint"/>).</param>
    /// <param name="checkpoint">Where the run stands (a new one, or the one resumed from).</param>
    /// <param name="feed">The progress feed the steps publish to through <paramref name="context"/>.</param>
    /// <param name="complete">Builds the result once every step is done (verification included).</param>
    /// <param name="failed">Turns a step's failure into a result (a report that says it failed), or returns <see langword="null"/> to throw it.</param>
    /// <param name="checkpointPath">Where to write the checkpoint after every step, if anywhere.</param>
    /// <param name="timeProvider">The clock of the timestamps.</param>
    /// <param name="logger">The operations' logger.</param>
    public StepOperation(
        TContext context, IReadOnlyList<IOperationStep<TContext>> steps, OperationCheckpoint checkpoint, ProgressFeed<TProgress> feed,
        Func<TContext, CancellationToken, Task<TResult>> complete, Func<TContext, string, Exception, Task<TResult?>> failed,
        string? checkpointPath, TimeProvider timeProvider, ILogger logger)
        : this(context, steps, new CheckpointJournal<TContext>(checkpoint, checkpointPath, timeProvider), feed, complete, failed, logger)
    {
    }

    /// <summary>A run recorded in <paramref name="journal"/>.</summary>
    /// <param name="context">The state the steps share.</param>
    /// <param name="steps">The steps, in order (their names are those of the journal's checkpoint).</param>
    /// <param name="journal">Where the run stands and where its steps are recorded.</param>
    /// <param name="feed">The progress feed the steps publish to through <paramref name="context"/>.</param>
    /// <param name="complete">Builds the result once every step is done (verification included).</param>
    /// <param name="failed">Turns a step's failure into a result, returns <see langword="null"/> to throw it, or throws its own error.</param>
    /// <param name="logger">The operations' logger.</param>
    public StepOperation(
        TContext context, IReadOnlyList<IOperationStep<TContext>> steps, IStepJournal<TContext> journal, ProgressFeed<TProgress> feed,
        Func<TContext, CancellationToken, Task<TResult>> complete, Func<TContext, string, Exception, Task<TResult?>> failed, ILogger logger)
    {
        var checkpoint = journal.Checkpoint;
        if (!steps.Select(s => s.Name).SequenceEqual(checkpoint.StepNames))
        {
            throw new InvalidDataException(
                $"The {checkpoint.Kind} checkpoint {checkpoint.OperationId} lists the steps {string.Join(", ", checkpoint.StepNames)}, not {string.Join(", ", steps.Select(s => s.Name))}.");
        }

        _context = context;
        _steps = steps;
        _journal = journal;
        _feed = feed;
        _complete = complete;
        _failed = failed;
        _logger = logger;
    }

    public override string Id => _journal.Checkpoint.OperationId;

    public override bool HasCompleted => Volatile.Read(ref _result) is not null;

    /// <summary>The result, once completed.</summary>
    public TResult? Result => Volatile.Read(ref _result);

    public override async ValueTask UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HasCompleted)
            {
                return;
            }

            var checkpoint = _journal.Checkpoint;
            var index = IndexOfNext(checkpoint);
            if (index == _steps.Count)
            {
                await FinishAsync(() => _complete(_context, cancellationToken)).ConfigureAwait(false);
                return;
            }

            var step = _steps[index];
            bool alreadyDone;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                _journal.Starting(_context, step);
                alreadyDone = await step.IsDoneAsync(_context, cancellationToken).ConfigureAwait(false);
                if (!alreadyDone)
                {
                    await step.RunAsync(_context, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _feed.End();
                throw;
            }
            catch (Exception ex) when (IsStepFailure(ex))
            {
                var message = $"step {index + 1} ({step.Name}) failed: {ex.Message} Done before it: {(checkpoint.CompletedSteps.Count == 0 ? "nothing" : string.Join(", ", checkpoint.CompletedSteps))}.";
                OperationsLog.OperationStepFailed(_logger, checkpoint.Kind, Id, index + 1, step.Name, ex.Message);
                TResult? failedResult;
                try
                {
                    await _journal.FailedAsync(_context, step, message, ex).ConfigureAwait(false);
                    failedResult = await _failed(_context, message, ex).ConfigureAwait(false);
                }
                catch
                {
                    _feed.End();
                    throw;
                }

                if (failedResult is not null)
                {
                    await FinishAsync(() => Task.FromResult(failedResult)).ConfigureAwait(false);
                    return;
                }

                _feed.End();
                throw;
            }

            OperationsLog.OperationStepDone(_logger, checkpoint.Kind, Id, index + 1, step.Name, alreadyDone ? "already done" : "done");
            await _journal.DoneAsync(_context, step, alreadyDone).ConfigureAwait(false);
            if (IndexOfNext(_journal.Checkpoint) == _steps.Count)
            {
                await FinishAsync(() => _complete(_context, cancellationToken)).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async ValueTask<TResult> WaitForCompletionAsync(CancellationToken cancellationToken = default)
    {
        while (Result is null)
        {
            await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        }

        return Result;
    }

    public override IAsyncEnumerable<TProgress> WatchProgressAsync(CancellationToken cancellationToken = default) => _feed.WatchAsync(cancellationToken);

    protected override OperationCheckpoint GetOperationCheckpoint() => _journal.Checkpoint;

    /// <summary>A failure that stops the run at the step's boundary (anything else is a bug, and propagates as it is).</summary>
    private static bool IsStepFailure(Exception ex) =>
        ex is EtcdException or IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException or TimeoutException or ManifestException;

    private int IndexOfNext(OperationCheckpoint checkpoint)
    {
        var index = 0;
        while (index < _steps.Count && checkpoint.CompletedSteps.Contains(_steps[index].Name))
        {
            index++;
        }

        return index;
    }

    private async Task FinishAsync(Func<Task<TResult>> build)
    {
        try
        {
            Volatile.Write(ref _result, await build().ConfigureAwait(false));
        }
        finally
        {
            _feed.End();
        }
    }
}
