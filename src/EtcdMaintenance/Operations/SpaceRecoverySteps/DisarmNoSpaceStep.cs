namespace EtcdMaintenance.Operations;

/// <summary>Disarms NOSPACE only (never CORRUPT), and only once every member is under the threshold of its quota.</summary>
internal sealed class DisarmNoSpaceStep : IOperationStep<SpaceRecoveryRun>
{
    public string Name => "disarm-nospace";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => new OperationStep
    {
        Number = number,
        Description = $"Disarm NOSPACE alarms only, and only when every member's DB size is at most {context.Options.DisarmBelowQuotaRatio:P0} of the quota (a bare 'etcdctl alarm disarm' would also clear CORRUPT).",
        EquivalentCommand = $"etcdctl --endpoints={context.AllEndpoints} alarm disarm",
    };

    public ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        if (!context.Options.DisarmNoSpace)
        {
            if ((await context.Client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false)).Any(a => a.Type == EtcdAlarmType.NoSpace))
            {
                const string Kept = "NOSPACE kept: disarming was not asked for.";
                context.Report(SpaceRecoveryStage.AlarmKept, null, Kept);
                context.AlarmNote = Kept;
            }

            return;
        }

        var outcome = await NoSpaceDisarm.DisarmIfUnderAsync(context.Client, context.Options.DisarmBelowQuotaRatio, context.WithQuota, cancellationToken).ConfigureAwait(false);
        if (outcome.Kept is { } keep)
        {
            context.Report(SpaceRecoveryStage.AlarmKept, null, keep);
            context.AlarmNote = keep;
            return;
        }

        foreach (var alarm in outcome.Active)
        {
            var name = outcome.View.Find(alarm.MemberId)?.DisplayName;
            context.Report(SpaceRecoveryStage.AlarmDisarmed, name, $"disarmed NOSPACE on {name ?? alarm.MemberId.ToString()}");
        }

        context.AlarmsDisarmed = outcome.Disarmed;
    }
}
