using System.Buffers;
using Microsoft.Extensions.Options;

namespace EtcdMaintenance.Monitoring;

/// <summary>
/// Judges a cluster from its status snapshots and says what is wrong before writes fail: active alarms, quota usage and a
/// time-to-quota forecast, fragmentation worth a defragment, members whose database diverges, raft and apply lag, no
/// leader or disagreeing members, frequent leader changes, unreachable members and learners left unpromoted. Pure: it
/// reads the snapshots it is given and nothing else, so it runs the same on a poller's rounds and on snapshots a
/// caller builds. Thread-safe.
/// </summary>
public sealed class ClusterDiagnostics
{
    /// <summary>Creates the diagnostics.</summary>
    /// <param name="options">The thresholds; the documented defaults when <see langword="null"/>. Validated here.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the failures say why.</exception>
    public ClusterDiagnostics(DiagnosticsOptions? options = null)
    {
        options ??= new DiagnosticsOptions();
        var validation = new DiagnosticsOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(DiagnosticsOptions), validation.Failures);
        }

        Options = options;
    }

    /// <summary>The thresholds in use (do not change them after construction).</summary>
    public DiagnosticsOptions Options { get; }

    /// <summary>Findings about one snapshot alone (no trends: no forecast, no leader-change count, no durations).</summary>
    public IReadOnlyList<DiagnosticFinding> Analyze(ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Analyze([snapshot]);
    }

    /// <summary>
    /// Findings about the latest snapshot of <paramref name="history"/>, using the earlier ones for trends (the quota
    /// forecast, leader changes, how long a member has been down or a learner). Most severe first.
    /// </summary>
    /// <param name="history">Snapshots of one cluster, oldest first; the last is the one judged.</param>
    /// <exception cref="ArgumentException">The history is empty, or a member of the last snapshot has both a status and an error, or neither.</exception>
    public IReadOnlyList<DiagnosticFinding> Analyze(IReadOnlyList<ClusterSnapshot> history)
    {
        ArgumentNullException.ThrowIfNull(history);
        if (history.Count == 0)
        {
            throw new ArgumentException("Give at least one snapshot.", nameof(history));
        }

        var current = history[^1];
        if (current.Members.FirstOrDefault(m => (m.Status is null) == (m.Error is null)) is { } invalid)
        {
            throw new ArgumentException($"Round {current.Round}: the member at {invalid.Endpoint.Text} has {(invalid.IsUp ? "both a status and an error" : "neither a status nor an error")}; give exactly one.", nameof(history));
        }

        var findings = new List<DiagnosticFinding>();
        CheckAlarms(current, findings);
        CheckUnreachable(history, findings);
        CheckLeader(current, findings);
        CheckLeaderChanges(history, findings);
        foreach (var member in current.Members)
        {
            if (member.Status is { } status)
            {
                CheckQuota(member, status, findings);
                CheckForecast(history, member, status, findings);
                CheckFragmentation(member, status, findings);
                CheckLag(current, member, status, findings);
                CheckLearner(history, current, member, status, findings);
            }
        }

        CheckDivergence(current, findings);
        findings.Sort(static (a, b) =>
            b.Severity != a.Severity ? b.Severity.CompareTo(a.Severity)
            : a.Kind != b.Kind ? a.Kind.CompareTo(b.Kind)
            : string.CompareOrdinal(a.Endpoint, b.Endpoint));
        return findings;
    }

    private static void CheckAlarms(ClusterSnapshot current, List<DiagnosticFinding> findings)
    {
        foreach (var alarm in current.Alarms)
        {
            if (alarm.Type is EtcdAlarmType.NoSpace or EtcdAlarmType.Corrupt)
            {
                findings.Add(new AlarmFinding
                {
                    Alarm = alarm,
                    Severity = FindingSeverity.Error,
                    Endpoint = EndpointOf(current, alarm.MemberId),
                    MemberId = alarm.MemberId,
                });
            }
        }
    }

    // For snapshots built by hand: the history holds only some rounds, so this is the first retained failed round.
    private static DateTimeOffset DownSinceFromHistory(IReadOnlyList<ClusterSnapshot> history, EtcdEndpoint endpoint)
    {
        var since = history[^1].Timestamp;
        for (var i = history.Count - 2; i >= 0; i--)
        {
            var earlier = Find(history[i], endpoint);
            if (earlier is null || earlier.IsUp)
            {
                break;
            }

            since = history[i].Timestamp;
        }

        return since;
    }

    private static void CheckUnreachable(IReadOnlyList<ClusterSnapshot> history, List<DiagnosticFinding> findings)
    {
        var current = history[^1];
        foreach (var member in current.Members)
        {
            if (member.Error is not { } error)
            {
                continue;
            }

            var since = member.DownSince ?? DownSinceFromHistory(history, member.Endpoint);
            findings.Add(new MemberUnreachableFinding
            {
                Severity = FindingSeverity.Error,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                ErrorCode = error.ErrorCode,
                Error = error.Message,
                DownSince = since,
            });
        }
    }

    private static void CheckLeader(ClusterSnapshot current, List<DiagnosticFinding> findings)
    {
        var answered = current.Members.Where(m => m.IsUp).ToList();
        if (answered.Count == 0)
        {
            return;
        }

        var leaders = answered.ToDictionary(m => m.Endpoint.Text, m => m.Status!.Leader, StringComparer.Ordinal);
        var named = leaders.Values.Where(l => !l.IsNone).Distinct().Count();
        if (named == 0)
        {
            findings.Add(new LeaderFinding(FindingKind.NoLeader)
            {
                Severity = FindingSeverity.Error,
                LeaderByEndpoint = leaders,
            });
            return;
        }

        foreach (var member in answered.Where(m => m.Status!.Leader.IsNone))
        {
            findings.Add(new LeaderFinding(FindingKind.NoLeader)
            {
                Severity = FindingSeverity.Warning,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                LeaderByEndpoint = leaders,
            });
        }

        if (named > 1)
        {
            findings.Add(new LeaderFinding(FindingKind.LeaderDisagreement)
            {
                Severity = FindingSeverity.Warning,
                LeaderByEndpoint = leaders,
            });
        }
    }

    private void CheckLeaderChanges(IReadOnlyList<ClusterSnapshot> history, List<DiagnosticFinding> findings)
    {
        var current = history[^1];
        var windowStart = current.Timestamp - Options.LeaderChangesWindow;
        var baseline = history[0];
        foreach (var snapshot in history)
        {
            if (snapshot.Timestamp >= windowStart)
            {
                baseline = snapshot;
                break;
            }
        }

        var changes = current.LeaderChanges - baseline.LeaderChanges;
        if (changes >= Options.LeaderChangesThreshold)
        {
            findings.Add(new LeaderChangesFinding
            {
                Severity = FindingSeverity.Warning,
                Changes = changes,
                Window = current.Timestamp - baseline.Timestamp,
                Threshold = Options.LeaderChangesThreshold,
            });
        }
    }

    private void CheckQuota(MemberSnapshot member, EndpointStatus status, List<DiagnosticFinding> findings)
    {
        if (status.DbSizeQuota is not { } quota || quota <= 0)
        {
            return;
        }

        var usage = (double)status.DbSize / quota;
        if (usage >= Options.QuotaErrorRatio)
        {
            findings.Add(new QuotaUsageFinding
            {
                Severity = FindingSeverity.Error,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                DbSize = status.DbSize,
                Quota = quota,
                Threshold = Options.QuotaErrorRatio,
            });
        }
        else if (usage >= Options.QuotaWarningRatio)
        {
            findings.Add(new QuotaUsageFinding
            {
                Severity = FindingSeverity.Warning,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                DbSize = status.DbSize,
                Quota = quota,
                Threshold = Options.QuotaWarningRatio,
            });
        }
    }

    private void CheckForecast(IReadOnlyList<ClusterSnapshot> history, MemberSnapshot member, EndpointStatus status, List<DiagnosticFinding> findings)
    {
        if (status.DbSizeQuota is not { } quota || quota <= 0 || history.Count < Options.ForecastMinimumSamples)
        {
            return;
        }

        var windowStart = history[^1].Timestamp - Options.ForecastWindow;
        var buffer = ArrayPool<(DateTimeOffset, long)>.Shared.Rent(history.Count);
        QuotaForecast? fitted;
        try
        {
            var count = 0;
            foreach (var snapshot in history)
            {
                if (snapshot.Timestamp >= windowStart && Find(snapshot, member.Endpoint)?.Status is { } earlier && earlier.MemberId == status.MemberId)
                {
                    buffer[count++] = (snapshot.Timestamp, earlier.DbSize);
                }
            }

            fitted = QuotaForecast.Fit(buffer.AsSpan(0, count), quota, Options.ForecastMinimumSamples, Options.ForecastMinimumSpan);
        }
        finally
        {
            ArrayPool<(DateTimeOffset, long)>.Shared.Return(buffer);
        }

        if (fitted is not { } forecast)
        {
            return;
        }

        var severity = forecast.TimeToQuota <= Options.ForecastErrorHorizon ? FindingSeverity.Error
            : forecast.TimeToQuota <= Options.ForecastWarningHorizon ? FindingSeverity.Warning
            : (FindingSeverity?)null;
        if (severity is { } level)
        {
            findings.Add(new QuotaForecastFinding
            {
                Severity = level,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                DbSize = status.DbSize,
                Quota = quota,
                GrowthBytesPerHour = forecast.GrowthBytesPerHour,
                TimeToQuota = forecast.TimeToQuota,
                Samples = forecast.Samples,
                Span = forecast.Span,
            });
        }
    }

    private void CheckFragmentation(MemberSnapshot member, EndpointStatus status, List<DiagnosticFinding> findings)
    {
        if (status.DbSizeInUse is not { } inUse || status.FragmentedBytes is not { } fragmented || status.FragmentationRatio is not { } ratio)
        {
            return;
        }

        var byRatio = ratio >= Options.FragmentationRatio && status.DbSize >= Options.FragmentationMinimumDbSize;
        if (byRatio || fragmented > Options.FragmentedBytesThreshold)
        {
            findings.Add(new FragmentationFinding
            {
                Severity = FindingSeverity.Warning,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                DbSize = status.DbSize,
                DbSizeInUse = inUse,
            });
        }
    }

    private void CheckLag(ClusterSnapshot current, MemberSnapshot member, EndpointStatus status, List<DiagnosticFinding> findings)
    {
        var applyLag = status.ApplyLag;
        if (applyLag >= Options.ApplyLagThreshold)
        {
            findings.Add(new RaftLagFinding(FindingKind.ApplyLag)
            {
                Severity = applyLag >= EtcdApplyLagLimit ? FindingSeverity.Error : FindingSeverity.Warning,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                RaftIndex = status.RaftIndex,
                AppliedIndex = status.RaftAppliedIndex,
                ReferenceIndex = status.RaftIndex,
                Threshold = Options.ApplyLagThreshold,
            });
        }

        // The reference is the leader's own index when the leader answered, otherwise the highest index reported.
        var reference = current.LeaderStatus?.RaftIndex ?? current.Members.Max(m => m.Status?.RaftIndex ?? 0);
        if (!status.IsLeader && reference > status.RaftIndex && reference - status.RaftIndex >= Options.RaftIndexLagThreshold)
        {
            findings.Add(new RaftLagFinding(FindingKind.RaftIndexLag)
            {
                Severity = FindingSeverity.Warning,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                RaftIndex = status.RaftIndex,
                AppliedIndex = status.RaftAppliedIndex,
                ReferenceIndex = reference,
                Threshold = Options.RaftIndexLagThreshold,
            });
        }
    }

    private void CheckLearner(IReadOnlyList<ClusterSnapshot> history, ClusterSnapshot current, MemberSnapshot member, EndpointStatus status, List<DiagnosticFinding> findings)
    {
        if (!status.IsLearner)
        {
            return;
        }

        var since = current.Timestamp;
        for (var i = history.Count - 2; i >= 0; i--)
        {
            var earlier = Find(history[i], member.Endpoint);
            if (earlier is not null && earlier.Status is { IsLearner: false })
            {
                break;
            }

            since = history[i].Timestamp;
        }

        var learnerFor = current.Timestamp - since;
        var leaderIndex = current.LeaderStatus?.RaftIndex ?? current.Members.Max(m => m.Status?.RaftIndex ?? 0);
        var ready = leaderIndex == 0 || status.RaftIndex >= Options.LearnerReadyRatio * leaderIndex;
        if (learnerFor >= Options.LearnerPromotionGrace)
        {
            findings.Add(new LearnerNotPromotedFinding
            {
                Severity = FindingSeverity.Warning,
                Endpoint = member.Endpoint.Text,
                MemberId = member.MemberId,
                LearnerFor = learnerFor,
                RaftIndex = status.RaftIndex,
                LeaderRaftIndex = leaderIndex,
                ReadyToPromote = ready,
            });
        }
    }

    private void CheckDivergence(ClusterSnapshot current, List<DiagnosticFinding> findings)
    {
        var up = current.Members.Where(m => m.IsUp).OrderBy(m => m.Status!.DbSize).ToList();
        if (up.Count < 2)
        {
            return;
        }

        // The lower median: with two members, the smaller one (a member larger than the other is the one to look at).
        var reference = up[(up.Count - 1) / 2];
        var referenceStatus = reference.Status!;
        foreach (var member in up)
        {
            if (ReferenceEquals(member, reference))
            {
                continue;
            }

            var status = member.Status!;
            var fileDiverges = Exceeds(status.DbSize, referenceStatus.DbSize);
            var inUseDiverges = status.DbSizeInUse is { } inUse && referenceStatus.DbSizeInUse is { } referenceInUse &&
                (Exceeds(inUse, referenceInUse) || Exceeds(referenceInUse, inUse));
            if (fileDiverges || inUseDiverges)
            {
                findings.Add(new DbSizeDivergenceFinding
                {
                    Severity = FindingSeverity.Warning,
                    Endpoint = member.Endpoint.Text,
                    MemberId = member.MemberId,
                    DbSize = status.DbSize,
                    DbSizeInUse = status.DbSizeInUse,
                    ReferenceEndpoint = reference.Endpoint.Text,
                    ReferenceMemberId = reference.MemberId,
                    ReferenceDbSize = referenceStatus.DbSize,
                    ReferenceDbSizeInUse = referenceStatus.DbSizeInUse,
                    InUseDiverges = inUseDiverges,
                });
            }
        }
    }

    /// <summary>Whether <paramref name="value"/> is beyond the divergence ratio and the minimum difference above <paramref name="reference"/>.</summary>
    private bool Exceeds(long value, long reference) =>
        value - reference > Options.DbSizeDivergenceMinimumBytes && value > reference * (1 + Options.DbSizeDivergenceRatio);

    /// <summary>etcd's <c>maxGapBetweenApplyAndCommitIndex</c>: beyond this gap it refuses requests ("too many requests").</summary>
    private const ulong EtcdApplyLagLimit = 5000;

    private static MemberSnapshot? Find(ClusterSnapshot snapshot, EtcdEndpoint endpoint)
    {
        foreach (var member in snapshot.Members)
        {
            if (member.Endpoint.Equals(endpoint))
            {
                return member;
            }
        }

        return null;
    }

    private static string? EndpointOf(ClusterSnapshot snapshot, MemberId memberId) =>
        snapshot.Members.FirstOrDefault(m => m.MemberId == memberId)?.Endpoint.Text;
}
