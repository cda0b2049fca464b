namespace EtcdMaintenance.Operations;

/// <summary>
/// A member replacement under way: run it to the end with <see cref="WaitForCompletionAsync"/>, or one step at a time
/// with <see cref="UpdateStatusAsync"/>; watch it with <see cref="WatchProgressAsync"/>. Every step is journaled before
/// the next starts, so a run that stops (cancelled, failed, or the process died) continues from
/// <see cref="JournalPath"/> with <see cref="MemberReplacementCoordinator.ResumeAsync"/>.
/// </summary>
/// <remarks>Not thread-safe for concurrent <see cref="UpdateStatusAsync"/> callers: one step runs at a time (a second caller waits).</remarks>
public abstract class MemberReplacementOperation
{
    /// <summary>For fakes in callers' tests; the library's own instances come from <see cref="MemberReplacementCoordinator"/>.</summary>
    protected MemberReplacementOperation()
    {
    }

    /// <summary>The operation's ID (also in the journal's file name).</summary>
    public abstract string Id { get; }

    /// <summary>The journal file: resume from it.</summary>
    public abstract string JournalPath { get; }

    /// <summary>The next step to run; <see cref="MemberReplacementStep.Completed"/> once done.</summary>
    public abstract MemberReplacementStep CurrentStep { get; }

    /// <summary>Whether the replacement finished and was verified.</summary>
    public abstract bool HasCompleted { get; }

    /// <summary>Runs the next step (at most one) and journals it. Does nothing once completed.</summary>
    /// <exception cref="MemberReplacementException">The step failed; the message says how to continue or roll back.</exception>
    /// <exception cref="OperationCanceledException">Cancelled while the step waited; the step is not journaled as done and runs again on resume.</exception>
    public abstract ValueTask UpdateStatusAsync(CancellationToken cancellationToken = default);

    /// <summary>Runs the remaining steps. Cancellation is honoured between steps and while a step waits; a member change already sent is never abandoned half-way.</summary>
    /// <exception cref="MemberReplacementException">A step failed; the message says how to continue or roll back.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; resume from <see cref="JournalPath"/>.</exception>
    public abstract ValueTask<MemberReplacementResult> WaitForCompletionAsync(CancellationToken cancellationToken = default);

    /// <summary>The progress events of this run: those already reported, then the new ones as they come, until the run completes, fails, or <paramref name="cancellationToken"/> is cancelled.</summary>
    public abstract IAsyncEnumerable<MemberReplacementProgress> WatchProgressAsync(CancellationToken cancellationToken = default);

    /// <summary>The journal as last written.</summary>
    public abstract MemberReplacementCheckpoint GetCheckpoint();
}
