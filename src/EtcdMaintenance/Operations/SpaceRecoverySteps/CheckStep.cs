namespace EtcdMaintenance.Operations;

/// <summary>Every voting member answers a linearizable read (not only status); reports the members the plan leaves alone.</summary>
internal sealed class CheckStep : IOperationStep<SpaceRecoveryRun>
{
    public string Name => "check";

    public OperationStep Describe(SpaceRecoveryRun context, int number) => new OperationStep
    {
        Number = number,
        Description = "Check every voting member's status, health and the alarms (NOSPACE is expected; CORRUPT stops everything).",
        EquivalentCommand = $"etcdctl --endpoints={context.AllEndpoints} endpoint status -w table && etcdctl --endpoints={context.AllEndpoints} endpoint health && etcdctl --endpoints={context.AllEndpoints} alarm list",
    };

    public ValueTask<bool> IsDoneAsync(SpaceRecoveryRun context, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    public async Task RunAsync(SpaceRecoveryRun context, CancellationToken cancellationToken)
    {
        foreach (var member in context.View.Voters.Where(m => m.IsReachable))
        {
            var health = await context.Client.CheckHealthAsync(member.Endpoint!, cancellationToken).ConfigureAwait(false);
            if (!health.AnswersReads)
            {
                throw new EtcdSafetyCheckException(
                    $"{SpaceRecoveryRun.OperationName} refused: {member.DisplayName} answers status but not a linearizable read ({health.Error}). Nothing was changed.",
                    member.Endpoint!.Text, SpaceRecoveryRun.OperationName);
            }
        }

        foreach (var member in context.Plan.Members.Where(m => m.Action != MemberPlanAction.Defragment))
        {
            context.Report(SpaceRecoveryStage.DefragmentSkipped, member.Name, $"{member.Name}: skipped ({member.Reason})");
        }
    }
}
