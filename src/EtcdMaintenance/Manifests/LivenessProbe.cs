using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// The etcd container's liveness probe, with Kubernetes' defaults filled in for fields not written (failureThreshold 3,
/// periodSeconds 10, timeoutSeconds 1, initialDelaySeconds 0). kubeadm writes failureThreshold 8 and periodSeconds 10.
/// </summary>
public sealed record LivenessProbe
{
    /// <summary>Creates one; set every required property.</summary>
    public LivenessProbe()
    {
    }

    [SetsRequiredMembers]
    internal LivenessProbe(int failureThreshold, int periodSeconds, int timeoutSeconds, int initialDelaySeconds, int line)
    {
        FailureThreshold = failureThreshold;
        PeriodSeconds = periodSeconds;
        TimeoutSeconds = timeoutSeconds;
        InitialDelaySeconds = initialDelaySeconds;
        Line = line;
    }

    /// <summary>Consecutive failed checks before kubelet restarts the container.</summary>
    public required int FailureThreshold { get; init; }

    /// <summary>Seconds between checks.</summary>
    public required int PeriodSeconds { get; init; }

    /// <summary>Seconds a check may take.</summary>
    public required int TimeoutSeconds { get; init; }

    /// <summary>Seconds before the first check.</summary>
    public required int InitialDelaySeconds { get; init; }

    /// <summary>The 1-based line of <c>livenessProbe:</c>.</summary>
    public required int Line { get; init; }

    /// <summary>How long checks may fail before kubelet kills etcd: about failureThreshold x periodSeconds.</summary>
    public TimeSpan FailureBudget => TimeSpan.FromSeconds((long)FailureThreshold * PeriodSeconds);
}

/// <summary>
/// Whether the liveness probe leaves a defragment enough time. A defragment blocks the member's health checks while it
/// rewrites the database, and the database can grow up to the quota; if the checks fail for longer than the probe's
/// budget, kubelet kills etcd in the middle of the defragment.
/// </summary>
public sealed record LivenessProbeAssessment
{
    /// <summary>Creates one; set every required property.</summary>
    public LivenessProbeAssessment()
    {
    }

    [SetsRequiredMembers]
    internal LivenessProbeAssessment(LivenessProbe probe, QuotaBackendBytes quota, long defragmentBytesPerSecond, TimeSpan estimatedDefragmentDuration, TimeSpan requiredBudget, int suggestedFailureThreshold)
    {
        Probe = probe;
        Quota = quota;
        DefragmentBytesPerSecond = defragmentBytesPerSecond;
        EstimatedDefragmentDuration = estimatedDefragmentDuration;
        RequiredBudget = requiredBudget;
        SuggestedFailureThreshold = suggestedFailureThreshold;
    }

    /// <summary>The probe as written.</summary>
    public required LivenessProbe Probe { get; init; }

    /// <summary>The quota assessed.</summary>
    public required QuotaBackendBytes Quota { get; init; }

    /// <summary>The assumed defragment throughput.</summary>
    public required long DefragmentBytesPerSecond { get; init; }

    /// <summary>How long a defragment of a database as large as the quota may take.</summary>
    public required TimeSpan EstimatedDefragmentDuration { get; init; }

    /// <summary>The budget wanted: the estimate with 50% margin.</summary>
    public required TimeSpan RequiredBudget { get; init; }

    /// <summary>The failureThreshold that gives <see cref="RequiredBudget"/> at the probe's period (never lower than the current one).</summary>
    public required int SuggestedFailureThreshold { get; init; }

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
