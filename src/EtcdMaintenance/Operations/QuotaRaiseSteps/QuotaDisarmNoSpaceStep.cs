namespace EtcdMaintenance.Operations;

/// <summary>Disarms NOSPACE only (never CORRUPT), and only once every member is under the threshold of its new quota; does nothing when not asked to.</summary>
internal sealed class QuotaDisarmNoSpaceStep : IOperationStep<QuotaRaiseRun>
{
    public string Name => "disarm-nospace";

    public OperationStep Describe(QuotaRaiseRun context, int number) => context.Options.DisarmNoSpace
        ? new OperationStep
        {
            Number = number,
            Description = $"Disarm NOSPACE alarms only, and only when every member's DB size is at most {context.Options.DisarmBelowQuotaRatio:P0} of its new quota (etcd keeps the alarm through restarts and quota changes).",
            EquivalentCommand = $"etcdctl --endpoints={context.AllEndpoints} alarm disarm",
        }
        : new OperationStep { Number = number, Description = "Leave the alarms as they are (disarming NOSPACE was not asked for).", EquivalentCommand = "-" };

    public ValueTask<bool> IsDoneAsync(QuotaRaiseRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(QuotaRaiseRun context, CancellationToken cancellationToken)
    {
        if (!context.Options.DisarmNoSpace)
        {
            return;
        }

        var outcome = await NoSpaceDisarm.DisarmIfUnderAsync(context.Client, context.Options.DisarmBelowQuotaRatio, context.WithNewQuota, cancellationToken).ConfigureAwait(false);
        context.AlarmsDisarmed = outcome.Disarmed;
        context.AlarmNote = outcome.Kept;
        context.Report(QuotaRaiseStage.NoSpaceAlarm, null, outcome.Kept ?? (outcome.Active.Count > 0
            ? $"disarmed NOSPACE: every member is under {context.Options.DisarmBelowQuotaRatio:P0} of its new quota"
            : "no NOSPACE alarm to disarm"));
    }
}
