using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance.Manifests;

/// <summary>How much a <see cref="ManifestNotice"/> matters.</summary>
public enum ManifestNoticeSeverity
{
    /// <summary>Something to know or to do next; nothing is wrong.</summary>
    Info = 1,

    /// <summary>Something is probably wrong or risky; read it before saving.</summary>
    Warning,
}

/// <summary>What a <see cref="ManifestNotice"/> is about, machine-readable.</summary>
public enum ManifestNoticeCode
{
    /// <summary>A flag is written more than once; etcd uses the last occurrence.</summary>
    DuplicateFlag = 1,

    /// <summary>A command-line item is neither a flag nor a flag's value; etcd refuses to start with it.</summary>
    StrayArgument,

    /// <summary>A flag that needs a value is the last item and has none; etcd refuses to start.</summary>
    MissingFlagValue,

    /// <summary>The manifest passes <c>--config-file</c>, so etcd ignores every other flag; change the configuration file instead.</summary>
    FlagsIgnoredWithConfigFile,

    /// <summary>kubeadm regenerates this manifest on upgrade from its <c>ClusterConfiguration</c>; make the same change there.</summary>
    KubeadmRegeneratesManifest,

    /// <summary>The quota is above etcd's suggested maximum of 8 GiB (the change was forced).</summary>
    QuotaAboveSuggestedMaximum,

    /// <summary>The quota leaves little room above the current database size.</summary>
    QuotaLowHeadroom,

    /// <summary>The quota is lower than before.</summary>
    QuotaLowered,

    /// <summary>A quota of 0 means etcd's default of 2 GiB.</summary>
    QuotaZeroMeansDefault,

    /// <summary>
    /// The liveness probe may kill etcd during a defragment of a database this large: its failure budget
    /// (failureThreshold x periodSeconds) is shorter than the estimated defragment time. See
    /// <see cref="EtcdManifest.AssessLivenessProbe"/> and <see cref="EtcdManifest.SetLivenessProbeFailureThreshold"/>.
    /// </summary>
    LivenessProbeBudgetTooSmall,
}

/// <summary>A warning or a piece of advice about a document or about an edit made to it.</summary>
public sealed record ManifestNotice
{
    /// <summary>Creates one; set every required property.</summary>
    public ManifestNotice()
    {
    }

    [SetsRequiredMembers]
    internal ManifestNotice(ManifestNoticeCode code, ManifestNoticeSeverity severity, string message)
    {
        Code = code;
        Severity = severity;
        Message = message;
    }

    /// <summary>What it is about.</summary>
    public required ManifestNoticeCode Code { get; init; }

    /// <summary>How much it matters.</summary>
    public required ManifestNoticeSeverity Severity { get; init; }

    /// <summary>A sentence for people.</summary>
    public required string Message { get; init; }

    /// <summary>The flag concerned, without dashes, when there is one.</summary>
    public string? Flag { get; init; }

    /// <summary>The 1-based line concerned, when there is one.</summary>
    public int? Line { get; init; }

    /// <summary>For probe advice: the defragment throughput it assumed, to assess again when the probe changes.</summary>
    internal long DefragmentBytesPerSecond { get; init; }

    /// <summary>The notice as one line: severity, place and message.</summary>
    public override string ToString() => Line is { } line ? $"{Severity.ToString().ToLowerInvariant()}: line {line}: {Message}" : $"{Severity.ToString().ToLowerInvariant()}: {Message}";
}
