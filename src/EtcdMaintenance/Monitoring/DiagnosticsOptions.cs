using Microsoft.Extensions.Options;

namespace EtcdMaintenance.Monitoring;

/// <summary>
/// The thresholds <see cref="ClusterDiagnostics"/> judges a cluster by. Every default names where it comes from; change
/// them to fit your cluster (validated when a <see cref="ClusterDiagnostics"/> or <see cref="ClusterPoller"/> is created).
/// </summary>
public sealed class DiagnosticsOptions
{
    /// <summary>1 MiB.</summary>
    private const long MiB = 1024 * 1024;

    /// <summary>The share of the quota at which a member's database size is a warning.</summary>
    /// <value>
    /// 0.8: the 80% at which etcd operators are advised to alert on the space quota, and etcd-defrag's rule
    /// <c>dbQuotaUsage &gt; 0.8</c>.
    /// </value>
    public double QuotaWarningRatio { get; set; } = 0.8;

    /// <summary>The share of the quota at which a member's database size is an error.</summary>
    /// <value>
    /// 0.9: etcd-defrag disarms NOSPACE automatically only when every member is at most 90% of its quota; above that the
    /// next writes raise it again.
    /// </value>
    public double QuotaErrorRatio { get; set; } = 0.9;

    /// <summary>The share of a member's database file in free pages at which a defragment is recommended (with <see cref="FragmentationMinimumDbSize"/>).</summary>
    /// <value>0.45: OpenShift's etcd operator defragments at 45% fragmentation.</value>
    public double FragmentationRatio { get; set; } = 0.45;

    /// <summary>The smallest database for which <see cref="FragmentationRatio"/> counts: below it a defragment is not worth blocking a member.</summary>
    /// <value>100 MiB: OpenShift's etcd operator defragments only databases of at least 100 MiB.</value>
    public long FragmentationMinimumDbSize { get; set; } = 100 * MiB;

    /// <summary>Free bytes in a member's database file that call for a defragment whatever the ratio.</summary>
    /// <value>200 MiB: etcd-defrag's rule <c>dbSize - dbSizeInUse &gt; 200 MiB</c>.</value>
    public long FragmentedBytesThreshold { get; set; } = 200 * MiB;

    /// <summary>
    /// How much larger than the median member's a member's database may be (file size, or bytes in use) before it counts
    /// as diverging, as a share of the median's (with <see cref="DbSizeDivergenceMinimumBytes"/>).
    /// </summary>
    /// <value>
    /// 1.0, i.e. twice the median: this project's choice. A member that missed one defragment at OpenShift's 45% threshold
    /// holds up to 1.8 times the file of a defragmented one; beyond twice, free pages no longer explain the gap.
    /// </value>
    public double DbSizeDivergenceRatio { get; set; } = 1.0;

    /// <summary>The smallest difference in bytes that counts as diverging.</summary>
    /// <value>100 MiB: differences below OpenShift's "worth defragmenting" size do not threaten the quota.</value>
    public long DbSizeDivergenceMinimumBytes { get; set; } = 100 * MiB;

    /// <summary>How many raft entries a member may be behind the leader.</summary>
    /// <value>
    /// 5000: etcd keeps 5000 entries after a raft snapshot for slow followers to catch up from (<c>snapshotCatchUpEntries</c>);
    /// a member further behind may need a whole snapshot sent.
    /// </value>
    public ulong RaftIndexLagThreshold { get; set; } = 5000;

    /// <summary>How many committed entries a member may have left to apply; at etcd's own limit of 5000 the finding is an error.</summary>
    /// <value>1000: a fifth of etcd's limit (<c>maxGapBetweenApplyAndCommitIndex</c> = 5000, beyond which etcd refuses requests with "too many requests").</value>
    public ulong ApplyLagThreshold { get; set; } = 1000;

    /// <summary>How many leader changes within <see cref="LeaderChangesWindow"/> are too many.</summary>
    /// <value>4: the etcd mixin's <c>etcdHighNumberOfLeaderChanges</c> alert (4 or more changes in 15 minutes).</value>
    public int LeaderChangesThreshold { get; set; } = 4;

    /// <summary>The window leader changes are counted in.</summary>
    /// <value>15 minutes, as in the etcd mixin's alert.</value>
    public TimeSpan LeaderChangesWindow { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a member may stay a learner before it is reported.</summary>
    /// <value>10 minutes: this project's choice; a learner on a healthy network catches up in seconds to minutes.</value>
    public TimeSpan LearnerPromotionGrace { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The share of the leader's raft index a learner must have reached to be promotable.</summary>
    /// <value>0.9: etcd refuses to promote a learner that has less than 90% of the leader's log.</value>
    public double LearnerReadyRatio { get; set; } = 0.9;

    /// <summary>The window of database sizes the quota forecast fits its line to (samples before the last defragment are ignored).</summary>
    /// <value>1 hour: this project's choice; long enough to smooth bursts, short enough to follow a change in load.</value>
    public TimeSpan ForecastWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The least time the samples must cover before a forecast is made.</summary>
    /// <value>5 minutes: this project's choice; a shorter series extrapolates a burst.</value>
    public TimeSpan ForecastMinimumSpan { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The least number of samples a forecast is fitted to.</summary>
    /// <value>5.</value>
    public int ForecastMinimumSamples { get; set; } = 5;

    /// <summary>A forecast of reaching the quota within this horizon is a warning.</summary>
    /// <value>24 hours: this project's choice; enough notice to compact and defragment in working hours.</value>
    public TimeSpan ForecastWarningHorizon { get; set; } = TimeSpan.FromHours(24);

    /// <summary>A forecast of reaching the quota within this horizon is an error.</summary>
    /// <value>1 hour: this project's choice; about the time a careful space recovery of a large cluster takes.</value>
    public TimeSpan ForecastErrorHorizon { get; set; } = TimeSpan.FromHours(1);

    /// <summary>The history a poller keeps for these checks: the longest of the windows.</summary>
    internal TimeSpan HistoryWindow => new[] { ForecastWindow, LeaderChangesWindow, LearnerPromotionGrace }.Max();
}

/// <summary>Validates <see cref="DiagnosticsOptions"/>; each message says what is wrong and what the default is.</summary>
internal sealed class DiagnosticsOptionsValidator : IValidateOptions<DiagnosticsOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, DiagnosticsOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        Ratio(failures, nameof(options.QuotaWarningRatio), options.QuotaWarningRatio, "0.8");
        Ratio(failures, nameof(options.QuotaErrorRatio), options.QuotaErrorRatio, "0.9");
        if (options.QuotaErrorRatio < options.QuotaWarningRatio)
        {
            failures.Add($"QuotaErrorRatio ({options.QuotaErrorRatio}) is below QuotaWarningRatio ({options.QuotaWarningRatio}): the error level must be at least the warning level.");
        }

        Ratio(failures, nameof(options.FragmentationRatio), options.FragmentationRatio, "0.45");
        Ratio(failures, nameof(options.LearnerReadyRatio), options.LearnerReadyRatio, "0.9");
        if (!(options.DbSizeDivergenceRatio > 0) || double.IsInfinity(options.DbSizeDivergenceRatio))
        {
            failures.Add($"DbSizeDivergenceRatio is {options.DbSizeDivergenceRatio}: give a positive share of the median member's size (default 1.0, twice the median).");
        }

        NotNegative(failures, nameof(options.FragmentationMinimumDbSize), options.FragmentationMinimumDbSize, "100 MiB");
        Positive(failures, nameof(options.FragmentedBytesThreshold), options.FragmentedBytesThreshold, "200 MiB");
        NotNegative(failures, nameof(options.DbSizeDivergenceMinimumBytes), options.DbSizeDivergenceMinimumBytes, "100 MiB");
        if (options.RaftIndexLagThreshold == 0)
        {
            failures.Add("RaftIndexLagThreshold is 0: give a number of raft entries (default 5000).");
        }

        if (options.ApplyLagThreshold == 0)
        {
            failures.Add("ApplyLagThreshold is 0: give a number of raft entries (default 1000).");
        }

        if (options.LeaderChangesThreshold < 1)
        {
            failures.Add($"LeaderChangesThreshold is {options.LeaderChangesThreshold}: give at least 1 (default 4).");
        }

        if (options.ForecastMinimumSamples < 2)
        {
            failures.Add($"ForecastMinimumSamples is {options.ForecastMinimumSamples}: a line needs at least 2 samples (default 5).");
        }

        Positive(failures, nameof(options.LeaderChangesWindow), options.LeaderChangesWindow, "15 minutes");
        NotNegative(failures, nameof(options.LearnerPromotionGrace), options.LearnerPromotionGrace, "10 minutes");
        Positive(failures, nameof(options.ForecastWindow), options.ForecastWindow, "1 hour");
        NotNegative(failures, nameof(options.ForecastMinimumSpan), options.ForecastMinimumSpan, "5 minutes");
        Positive(failures, nameof(options.ForecastWarningHorizon), options.ForecastWarningHorizon, "24 hours");
        Positive(failures, nameof(options.ForecastErrorHorizon), options.ForecastErrorHorizon, "1 hour");
        if (options.ForecastErrorHorizon > options.ForecastWarningHorizon)
        {
            failures.Add($"ForecastErrorHorizon ({options.ForecastErrorHorizon}) is longer than ForecastWarningHorizon ({options.ForecastWarningHorizon}): the error horizon must be the shorter.");
        }

        if (options.ForecastMinimumSpan > options.ForecastWindow)
        {
            failures.Add($"ForecastMinimumSpan ({options.ForecastMinimumSpan}) is longer than ForecastWindow ({options.ForecastWindow}): no forecast could ever be made.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Ratio(List<string> failures, string name, double value, string defaultValue)
    {
        if (!(value > 0 && value <= 1))
        {
            failures.Add($"{name} is {value}: give a ratio in (0, 1] (default {defaultValue}).");
        }
    }

    private static void Positive(List<string> failures, string name, long value, string defaultValue)
    {
        if (value <= 0)
        {
            failures.Add($"{name} is {value}: give a positive number of bytes (default {defaultValue}).");
        }
    }

    private static void NotNegative(List<string> failures, string name, long value, string defaultValue)
    {
        if (value < 0)
        {
            failures.Add($"{name} is {value}: give zero or a positive number of bytes (default {defaultValue}).");
        }
    }

    private static void Positive(List<string> failures, string name, TimeSpan value, string defaultValue)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} is {value}: give a positive duration (default {defaultValue}).");
        }
    }

    private static void NotNegative(List<string> failures, string name, TimeSpan value, string defaultValue)
    {
        if (value < TimeSpan.Zero)
        {
            failures.Add($"{name} is {value}: give zero or a positive duration (default {defaultValue}).");
        }
    }
}
