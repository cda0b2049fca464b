namespace EtcdMaintenance.Operations;

/// <summary>Reads the alarms left and, when asked, proves writes work with a probe write.</summary>
internal sealed class RecoveryVerifyStep : IOperationStep<SpaceRecoveryRun>
{
    public string Name => "verify";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => new(number,
        "Verify: no NOSPACE alarm, and a probe write succeeds.",
        $"etcdctl --endpoints={context.AllEndpoints} alarm list && etcdctl --endpoints={context.AllEndpoints} put {EtcdMaintenanceClient.ReservedKeyPrefix}probe x && etcdctl --endpoints={context.AllEndpoints} del {EtcdMaintenanceClient.ReservedKeyPrefix}probe");

    public ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        context.Report(SpaceRecoveryStage.Verifying, null, "checking alarms and a probe write");
        context.AlarmsRemaining = await context.Client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        if (!context.Options.VerifyWithProbeWrite)
        {
            return;
        }

        try
        {
            await context.Client.ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
            context.ProbeWriteSucceeded = true;
        }
        catch (EtcdException ex)
        {
            context.ProbeWriteSucceeded = false;
            context.ProbeError = ex.Message;
        }
    }
}
