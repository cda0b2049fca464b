namespace EtcdMaintenance.Operations;

/// <summary>
/// A long-running operation under way (space recovery, quota raise, member replacement): run it to the end with
/// <see cref="WaitForCompletionAsync"/>, or one step at a time with <see cref="UpdateStatusAsync"/>; watch it with
/// <see cref="WatchProgressAsync"/>; save <see cref="GetCheckpoint"/> to resume it after a stop.
/// </summary>
/// <typeparam name="TResult">What the operation returns once completed.</typeparam>
/// <typeparam name="TProgress">Its progress events.</typeparam>
/// <remarks>One step runs at a time: a second concurrent <see cref="UpdateStatusAsync"/> caller waits for the first.</remarks>
public abstract class EtcdOperation<TResult, TProgress>
{
    /// <summary>For fakes in callers' tests; the library's own instances come from the operations' <c>StartAsync</c>.</summary>
    protected EtcdOperation()
    {
    }

    /// <summary>The operation's ID (also in its checkpoint).</summary>
    public abstract string Id { get; }

    /// <summary>Whether every step ran.</summary>
    public abstract bool HasCompleted { get; }

    /// <summary>Runs the next step (at most one) and records it. Does nothing once completed.</summary>
    /// <exception cref="OperationCanceledException">Cancelled while the step waited; the step is not recorded as done and runs again on resume.</exception>
    public abstract ValueTask UpdateStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs the remaining steps and returns the result. Cancellation is honoured between steps and while a step waits.</summary>
    /// <exception cref="OperationCanceledException">Cancelled at a step boundary; resume from the checkpoint.</exception>
    public abstract ValueTask<TResult> WaitForCompletionAsync(CancellationToken cancellationToken = default);

    /// <summary>The progress events of this run: those already reported, then the new ones as they come, until the run completes, fails, or <paramref name="cancellationToken"/> is cancelled.</summary>
    public abstract IAsyncEnumerable<TProgress> WatchProgressAsync(CancellationToken cancellationToken = default);

    /// <summary>The checkpoint as last recorded: the plan, the steps done, and when.</summary>
    public OperationCheckpoint GetCheckpoint() => GetOperationCheckpoint();

    /// <summary>The checkpoint as last recorded (what <see cref="GetCheckpoint"/> returns).</summary>
    protected abstract OperationCheckpoint GetOperationCheckpoint();
}
