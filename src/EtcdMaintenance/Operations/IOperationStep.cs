namespace EtcdMaintenance.Operations;

/// <summary>
/// One step of a long-running operation (space recovery, quota raise, member replacement): what it will do, whether its
/// work is already done, and doing it. A run asks <see cref="IsDoneAsync"/> before <see cref="RunAsync"/>, so a resumed
/// or repeated run skips what is done; the plan a caller sees is the list of <see cref="Describe"/>s of the steps it runs.
/// </summary>
/// <typeparam name="TContext">The run's state the steps share (client, hosts, plan, checkpoint).</typeparam>
internal interface IOperationStep<in TContext>
{
    /// <summary>A stable name, written to checkpoints and journals.</summary>
    string Name { get; }

    /// <summary>What the step does and why, with the etcdctl or shell equivalent.</summary>
    OperationStep Describe(TContext context, int number);

    /// <summary>Whether the step's work is already done (the cluster and the hosts are the source of truth).</summary>
    ValueTask<bool> IsDoneAsync(TContext context, CancellationToken cancellationToken);

    /// <summary>Does the step's work. Throws a typed exception naming the member or node and the step when it fails.</summary>
    Task RunAsync(TContext context, CancellationToken cancellationToken);
}
