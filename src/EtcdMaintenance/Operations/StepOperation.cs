using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Runs a list of <see cref="IOperationStep{TContext}"/> in order, one per <see cref="UpdateStatusAsync"/>: a step already
/// recorded as done, or whose <see cref="IOperationStep{TContext}.IsDoneAsync"/> says so, is skipped; otherwise it runs.
/// The checkpoint is recorded (and written, when a path is given) after every step; a failure or a cancellation stops
/// the run at that step's boundary, and the checkpoint's <see cref="OperationCheckpoint.LastError"/> names the step and
/// what was done before it. Once every step is done, <c>complete</c> builds the result.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim's wait handle is never used, so it holds nothing to dispose; the handle has no Dispose in its public shape.")]
internal sealed class StepOperation<TContext, TResult, TProgress> : EtcdOperation<TResult, TProgress>
    where TResult : class
{
    private readonly TContext _context;
    private readonly IReadOnlyList<IOperationStep<TContext>> _steps;
    private readonly ProgressFeed<TProgress> _feed;
    private readonly Func<TContext, CancellationToken, Task<TResult>> _complete;
    private readonly Func<TContext, string, Exception, Task<TResult?>> _failed;
    private readonly string? _checkpointPath;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OperationCheckpoint _checkpoint;
    private TResult? _result;

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
    {
        if (!steps.Select(s => s.Name).SequenceEqual(checkpoint.StepNames))
        {
            throw new InvalidDataException(
                $"The {checkpoint.Kind} checkpoint {checkpoint.OperationId} lists the steps {string.Join(", ", checkpoint.StepNames)}, not {string.Join(", ", steps.Select(s => s.Name))}.");
        }

        _context = context;
        _steps = steps;
        _checkpoint = checkpoint;
        _feed = feed;
        _complete = complete;
        _failed = failed;
        _checkpointPath = checkpointPath;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    public override string Id => _checkpoint.OperationId;

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

            var checkpoint = Volatile.Read(ref _checkpoint);
            var index = IndexOfNext(checkpoint);
            if (index == _steps.Count)
            {
                await FinishAsync(() => _complete(_context, cancellationToken)).ConfigureAwait(false);
                return;
            }

            var step = _steps[index];
            string outcome;
            try
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (await step.IsDoneAsync(_context, cancellationToken).ConfigureAwait(false))
                {
                    outcome = "already done";
                }
                else
                {
                    await step.RunAsync(_context, cancellationToken).ConfigureAwait(false);
                    outcome = "done";
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                _feed.End();
                throw;
            }
            catch (Exception ex) when (ex is EtcdException or IOException or UnauthorizedAccessException or InvalidOperationException or InvalidDataException or TimeoutException)
            {
                var message = $"step {index + 1} ({step.Name}) failed: {ex.Message} Done before it: {(checkpoint.CompletedSteps.Count == 0 ? "nothing" : string.Join(", ", checkpoint.CompletedSteps))}.";
                OperationsLog.OperationStepFailed(_logger, checkpoint.Kind, Id, index + 1, step.Name, ex.Message);
                await RecordAsync(checkpoint with { UpdatedAt = _timeProvider.GetUtcNow(), LastError = message }).ConfigureAwait(false);
                if (await _failed(_context, message, ex).ConfigureAwait(false) is { } failedResult)
                {
                    await FinishAsync(() => Task.FromResult(failedResult)).ConfigureAwait(false);
                    return;
                }

                _feed.End();
                throw;
            }

            OperationsLog.OperationStepDone(_logger, checkpoint.Kind, Id, index + 1, step.Name, outcome);
            await RecordAsync(checkpoint with
            {
                CompletedSteps = [.. checkpoint.CompletedSteps, step.Name],
                UpdatedAt = _timeProvider.GetUtcNow(),
                LastError = null,
            }).ConfigureAwait(false);
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

    protected override OperationCheckpoint GetOperationCheckpoint() => Volatile.Read(ref _checkpoint);

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

    private async Task RecordAsync(OperationCheckpoint checkpoint)
    {
        if (_checkpointPath is not null)
        {
            await checkpoint.WriteAsync(_checkpointPath, CancellationToken.None).ConfigureAwait(false);
        }

        Volatile.Write(ref _checkpoint, checkpoint);
    }
}
