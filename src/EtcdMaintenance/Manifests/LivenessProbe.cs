namespace EtcdMaintenance.Manifests;

/// <summary>
/// The etcd container's liveness probe, with Kubernetes' defaults filled in for fields not written (failureThreshold 3,
/// periodSeconds 10, timeoutSeconds 1, initialDelaySeconds 0). kubeadm writes failureThreshold 8 and periodSeconds 10.
/// </summary>
/// <param name="FailureThreshold">Consecutive failed checks before kubelet restarts the container.</param>
/// <param name="PeriodSeconds">Seconds between checks.</param>
/// <param name="TimeoutSeconds">Seconds a check may take.</param>
/// <param name="InitialDelaySeconds">Seconds before the first check.</param>
/// <param name="Line">The 1-based line of <c>livenessProbe:</c>.</param>
public sealed record LivenessProbe(int FailureThreshold, int PeriodSeconds, int TimeoutSeconds, int InitialDelaySeconds, int Line)
{
    /// <summary>How long checks may fail before kubelet kills etcd: about failureThreshold x periodSeconds.</summary>
    public TimeSpan FailureBudget => TimeSpan.FromSeconds((long)FailureThreshold * PeriodSeconds);
}

/// <summary>
/// Whether the liveness probe leaves a defragment enough time. A defragment blocks the member's health checks while it
/// rewrites the database, and the database can grow up to the quota; if the checks fail for longer than the probe's
/// budget, kubelet kills etcd in the middle of the defragment.
/// </summary>
/// <param name="Probe">The probe as written.</param>
/// <param name="Quota">The quota assessed.</param>
/// <param name="DefragmentBytesPerSecond">The assumed defragment throughput.</param>
/// <param name="EstimatedDefragmentDuration">How long a defragment of a database as large as the quota may take.</param>
/// <param name="RequiredBudget">The budget wanted: the estimate with 50% margin.</param>
/// <param name="SuggestedFailureThreshold">The failureThreshold that gives <see cref="RequiredBudget"/> at the probe's period (never lower than the current one).</param>
public sealed record LivenessProbeAssessment(
    LivenessProbe Probe,
    QuotaBackendBytes Quota,
    long DefragmentBytesPerSecond,
    TimeSpan EstimatedDefragmentDuration,
    TimeSpan RequiredBudget,
    int SuggestedFailureThreshold)
{
    /// <summary>Whether the probe's budget covers <see cref="RequiredBudget"/>.</summary>
    public bool IsSufficient => Probe.FailureBudget >= RequiredBudget;

    internal static LivenessProbeAssessment Create(LivenessProbe probe, QuotaBackendBytes quota, long bytesPerSecond)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bytesPerSecond);
        var estimatedSeconds = Math.Ceiling((double)quota.EffectiveBytes / bytesPerSecond);
        var requiredSeconds = Math.Ceiling(estimatedSeconds * 1.5);
        var period = Math.Max(1, probe.PeriodSeconds);
        var suggested = Math.Max(probe.FailureThreshold, (int)Math.Ceiling(requiredSeconds / period));
        return new LivenessProbeAssessment(probe, quota, bytesPerSecond, TimeSpan.FromSeconds(estimatedSeconds), TimeSpan.FromSeconds(requiredSeconds), suggested);
    }
}
