namespace EtcdMaintenance.Operations;

/// <summary>One step of a planned operation, with the command an operator would type to do the same by hand.</summary>
public sealed record OperationStep
{
    /// <summary>1-based position in the plan.</summary>
    public required int Number { get; init; }

    /// <summary>What the step does and why.</summary>
    public required string Description { get; init; }

    /// <summary>The etcdctl or shell equivalent, for audit (TLS and auth flags left out).</summary>
    public required string EquivalentCommand { get; init; }
}
