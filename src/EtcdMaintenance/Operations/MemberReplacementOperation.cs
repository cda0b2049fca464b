namespace EtcdMaintenance.Operations;

/// <summary>
/// A member replacement under way: run it to the end with <see cref="EtcdOperation{TResult, TProgress}.WaitForCompletionAsync"/>,
/// or one step at a time with <see cref="EtcdOperation{TResult, TProgress}.UpdateStatusAsync"/>; watch it with
/// <see cref="EtcdOperation{TResult, TProgress}.WatchProgressAsync"/>. Every step is journaled before the next starts, so a
/// run that stops (cancelled, failed, or the process died) continues from <see cref="JournalPath"/> with
/// <see cref="MemberReplacementCoordinator.ResumeAsync"/>.
/// </summary>
/// <remarks>
/// A failed step throws <see cref="MemberReplacementException"/>; its message says how to continue or roll back.
/// <see cref="GetCheckpoint"/> returns the replacement's own journal; the common <see cref="OperationCheckpoint"/> view of
/// it is <see cref="EtcdOperation{TResult, TProgress}.GetCheckpoint"/> on the base type.
/// </remarks>
public abstract class MemberReplacementOperation : EtcdOperation<MemberReplacementResult, MemberReplacementProgress>
{
    /// <summary>For fakes in callers' tests; the library's own instances come from <see cref="MemberReplacementCoordinator"/>.</summary>
    protected MemberReplacementOperation()
    {
    }

    /// <summary>The journal file: resume from it.</summary>
    public abstract string JournalPath { get; }

    /// <summary>The next step to run; <see cref="MemberReplacementStep.Completed"/> once done.</summary>
    public abstract MemberReplacementStep CurrentStep { get; }

    /// <summary>The journal as last written.</summary>
    public new abstract MemberReplacementCheckpoint GetCheckpoint();

    /// <summary>The journal in the common checkpoint shape (its steps by name).</summary>
    protected sealed override OperationCheckpoint GetOperationCheckpoint() => ReplacementJournalRecorder.CommonView(GetCheckpoint());
}
