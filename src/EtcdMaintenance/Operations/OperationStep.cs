namespace EtcdMaintenance.Operations;

/// <summary>One step of a planned operation, with the command an operator would type to do the same by hand.</summary>
/// <param name="Number">1-based position in the plan.</param>
/// <param name="Description">What the step does and why.</param>
/// <param name="EquivalentCommand">The etcdctl or shell equivalent, for audit (TLS and auth flags left out).</param>
public sealed record OperationStep(int Number, string Description, string EquivalentCommand);
