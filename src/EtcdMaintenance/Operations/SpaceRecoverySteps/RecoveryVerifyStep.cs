namespace EtcdMaintenance.Operations;

/// <summary>Reads the alarms left and, when asked, proves writes work with a probe write.</summary>
internal sealed class RecoveryVerifyStep : IOperationStep<SpaceRecoveryRun>
{
    public string Name => "verify";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => new OperationStep
    {
        Number = number,
        Description = "Verify: no NOSPACE alarm, and a probe write succeeds.",
        EquivalentCommand = WriteCheck.Etcdctl(context.AllEndpoints),
    };

    public ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        context.Report(SpaceRecoveryStage.Verifying, null, "checking alarms and a probe write");
        var check = await WriteCheck.RunAsync(context.Client, context.Options.VerifyWithProbeWrite, cancellationToken).ConfigureAwait(false);
        context.AlarmsRemaining = check.Alarms;
        context.ProbeWriteSucceeded = check.WriteSucceeded;
        context.ProbeError = check.WriteError?.Message;
    }
}
