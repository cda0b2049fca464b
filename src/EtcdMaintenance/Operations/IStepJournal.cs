namespace EtcdMaintenance.Operations;

/// <summary>
/// Where a <see cref="StepOperation{TContext, TResult, TProgress}"/> records its steps: the common
/// <see cref="OperationCheckpoint"/> (<see cref="CheckpointJournal{TContext}"/>), or an operation's own journal (the member
/// replacement's, which also records the node and run mode of every step). The runner reads the steps done from
/// <see cref="Checkpoint"/> and records each step before the next starts.
/// </summary>
/// <typeparam name="TContext">The run's state the steps share.</typeparam>
internal interface IStepJournal<TContext>
{
    /// <summary>The journal as last recorded, in the common shape (its steps by name).</summary>
    OperationCheckpoint Checkpoint { get; }

    /// <summary>A step is about to run (its already-done check first).</summary>
    void Starting(TContext context, IOperationStep<TContext> step);

    /// <summary>Records the step as done (<paramref name="alreadyDone"/>: its work was found done) before the next starts.</summary>
    Task DoneAsync(TContext context, IOperationStep<TContext> step, bool alreadyDone);

    /// <summary>Records that the step failed; <paramref name="message"/> names the step and what was done before it.</summary>
    Task FailedAsync(TContext context, IOperationStep<TContext> step, string message, Exception error);
}

/// <summary>Records the steps in an <see cref="OperationCheckpoint"/>, written owner-only after every step when given a path.</summary>
internal sealed class CheckpointJournal<TContext>(OperationCheckpoint checkpoint, string? path, TimeProvider timeProvider) : IStepJournal<TContext>
{
    private OperationCheckpoint _checkpoint = checkpoint;

    public OperationCheckpoint Checkpoint => Volatile.Read(ref _checkpoint);

    public void Starting(TContext context, IOperationStep<TContext> step)
    {
    }

    public Task DoneAsync(TContext context, IOperationStep<TContext> step, bool alreadyDone)
    {
        var checkpoint = Checkpoint;
        return RecordAsync(checkpoint with
        {
            CompletedSteps = [.. checkpoint.CompletedSteps, step.Name],
            UpdatedAt = timeProvider.GetUtcNow(),
            LastError = null,
        });
    }

    public Task FailedAsync(TContext context, IOperationStep<TContext> step, string message, Exception error) =>
        RecordAsync(Checkpoint with { UpdatedAt = timeProvider.GetUtcNow(), LastError = message });

    private async Task RecordAsync(OperationCheckpoint checkpoint)
    {
        if (path is not null)
        {
            await checkpoint.WriteAsync(path, CancellationToken.None).ConfigureAwait(false);
        }

        Volatile.Write(ref _checkpoint, checkpoint);
    }
}
