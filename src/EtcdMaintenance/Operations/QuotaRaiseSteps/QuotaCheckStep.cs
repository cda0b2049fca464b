namespace EtcdMaintenance.Operations;

/// <summary>Every voting member answers before anything is changed (never more than one member down).</summary>
internal sealed class QuotaCheckStep : IOperationStep<QuotaRaiseRun>
{
    public string Name => "check";

    public OperationStep Describe(QuotaRaiseRun context, int number) => new OperationStep
    {
        Number = number,
        Description = "Check that every voting member answers and is healthy (never more than one member down).",
        EquivalentCommand = $"etcdctl --endpoints={context.AllEndpoints} endpoint health",
    };

    public ValueTask<bool> IsDoneAsync(QuotaRaiseRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public Task RunAsync(QuotaRaiseRun context, CancellationToken cancellationToken) => context.LoadViewAsync(null, cancellationToken);
}
