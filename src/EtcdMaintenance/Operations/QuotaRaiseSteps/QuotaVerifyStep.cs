namespace EtcdMaintenance.Operations;

/// <summary>Reads the alarms left and proves writes work with a probe write (a failed probe is the report's, not an exception).</summary>
internal sealed class QuotaVerifyStep : IOperationStep<QuotaRaiseRun>
{
    public string Name => "verify";

    public OperationStep Describe(QuotaRaiseRun context, int number) => new OperationStep
    {
        Number = number,
        Description = "Verify: the alarms left, and a probe write succeeds.",
        EquivalentCommand = WriteCheck.Etcdctl(context.AllEndpoints),
    };

    public ValueTask<bool> IsDoneAsync(QuotaRaiseRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(QuotaRaiseRun context, CancellationToken cancellationToken)
    {
        context.Verified = true;
        var check = await WriteCheck.RunAsync(context.Client, probeWrite: true, cancellationToken).ConfigureAwait(false);
        context.AlarmsRemaining = check.Alarms;
        context.ProbeWriteSucceeded = check.WriteSucceeded == true;
        if (check.WriteError is { } error)
        {
            var why = check.Alarms.Any(a => a.Type == EtcdAlarmType.NoSpace)
                ? context.AlarmNote ?? "NOSPACE is still armed (disarming was not asked for)"
                : error.Message;
            context.FailureReason = $"the probe write failed: {error.Message} ({why})";
        }
    }
}
