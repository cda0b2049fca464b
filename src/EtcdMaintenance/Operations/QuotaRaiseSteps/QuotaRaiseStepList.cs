namespace EtcdMaintenance.Operations;

/// <summary>The steps of a quota raise, in order: the one list a new step is added to (the plan describes these objects, and a run runs them).</summary>
internal static class QuotaRaiseStepList
{
    public static List<IOperationStep<QuotaRaiseRun>> For(QuotaRaisePlan plan)
    {
        List<IOperationStep<QuotaRaiseRun>> steps = [new QuotaCheckStep()];
        foreach (var member in plan.Members)
        {
            if (!member.AlreadySet)
            {
                steps.Add(new PatchManifestStep(member));
            }

            steps.Add(new RestartMemberStep(member));
        }

        steps.Add(new QuotaDisarmNoSpaceStep());
        steps.Add(new QuotaVerifyStep());
        return steps;
    }
}
