namespace EtcdMaintenance.Operations;

/// <summary>Reads the alarms left and proves writes work with a probe write (a failed probe is the report's, not an exception).</summary>
internal sealed class QuotaVerifyStep : IOperationStep<QuotaRaiseRun>
{
    public string Name => "verify";

    public OperationStep Describe(QuotaRaiseRun context, int number) => new(number,
        "Verify: the alarms left, and a probe write succeeds.",
        $"etcdctl --endpoints={context.AllEndpoints} alarm list && etcdctl --endpoints={context.AllEndpoints} put {EtcdMaintenanceClient.ReservedKeyPrefix}probe x && etcdctl --endpoints={context.AllEndpoints} del {EtcdMaintenanceClient.ReservedKeyPrefix}probe");

    public ValueTask<bool> IsDoneAsync(QuotaRaiseRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(QuotaRaiseRun context, CancellationToken cancellationToken)
    {
        context.Verified = true;
        context.AlarmsRemaining = await context.Client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await context.Client.ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
            context.ProbeWriteSucceeded = true;
        }
        catch (EtcdException ex)
        {
            var why = context.AlarmsRemaining.Any(a => a.Type == EtcdAlarmType.NoSpace)
                ? context.AlarmNote ?? "NOSPACE is still armed (disarming was not asked for)"
                : ex.Message;
            context.ProbeWriteSucceeded = false;
            context.FailureReason = $"the probe write failed: {ex.Message} ({why})";
        }
    }
}
