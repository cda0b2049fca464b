namespace EtcdMaintenance.Operations;

/// <summary>The steps of a space recovery, in order: the one list a new step is added to (the plan describes these objects, and a run runs them).</summary>
internal static class SpaceRecoveryStepList
{
    public static List<IOperationStep<SpaceRecoveryRun>> For(SpaceRecoveryPlan plan)
    {
        List<IOperationStep<SpaceRecoveryRun>> steps = [new CheckStep(), new CompactStep()];
        foreach (var member in plan.Members.Where(p => p.Action == MemberPlanAction.Defragment))
        {
            if (member.IsLeader && plan.MoveLeaderTo is { } successor)
            {
                steps.Add(new RecoveryMoveLeaderStep(member, successor));
            }

            steps.Add(new DefragmentMemberStep(member));
        }

        steps.Add(new DisarmNoSpaceStep());
        steps.Add(new RecoveryVerifyStep());
        return steps;
    }
}
