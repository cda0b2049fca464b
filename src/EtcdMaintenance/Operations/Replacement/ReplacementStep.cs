namespace EtcdMaintenance.Operations;

/// <summary>
/// One step of a member replacement: its journal identifier, its description for the plan, its already-done check, its
/// run and its rollback advice. A step records what it did (or found done) with <see cref="ReplacementContext.Did"/> or
/// <see cref="ReplacementContext.Found"/>; the steps and their order are <see cref="ReplacementSteps.All"/>.
/// </summary>
internal abstract class ReplacementStep : IOperationStep<ReplacementContext>
{
    /// <summary>The step's identifier in the journal (public, journaled: never renumbered).</summary>
    public abstract MemberReplacementStep Id { get; }

    /// <summary>A short label for progress and error messages, e.g. <c>member remove</c>.</summary>
    public abstract string Label { get; }

    /// <inheritdoc/>
    public string Name => Id.ToString();

    /// <inheritdoc/>
    public abstract OperationStep Describe(ReplacementContext context, int number);

    /// <summary>
    /// Whether the step's work is already done; when it is, records the outcome with <see cref="ReplacementContext.Found"/>.
    /// Also refuses (throws) when the state is unsafe to go on from. Steps with no such check are never skipped.
    /// </summary>
    public virtual ValueTask<bool> IsDoneAsync(ReplacementContext context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <inheritdoc/>
    public abstract Task RunAsync(ReplacementContext context, CancellationToken cancellationToken);

    /// <summary>How to roll back when this step fails, given what the journal says is done.</summary>
    public abstract string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint);
}
