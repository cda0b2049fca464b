using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace EtcdMaintenance.Monitoring;

/// <summary>
/// A poller's instruments (names in <see cref="EtcdTelemetry"/>). Gauges are observed from the latest snapshot when a
/// listener collects; the histogram and the counter are recorded as rounds happen.
/// </summary>
internal sealed class PollerMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _pollDuration;
    private readonly Counter<long> _leaderChanges;
    private ClusterSnapshot? _latest;

    public PollerMetrics(IMeterFactory? meterFactory)
    {
        if (meterFactory is null)
        {
            _meter = new Meter(EtcdTelemetry.MeterName, EtcdTelemetry.Version);
            _ownsMeter = true;
        }
        else
        {
            _meter = meterFactory.Create(new MeterOptions(EtcdTelemetry.MeterName) { Version = EtcdTelemetry.Version });
        }

        _pollDuration = _meter.CreateHistogram<double>("etcd.maintenance.poll.duration", "s", "The round trip of one member's status call.");
        _leaderChanges = _meter.CreateCounter<long>("etcd.maintenance.leader.changes", "{change}", "Leader changes seen: a different leader, or the same one re-elected in a higher term.");
        _meter.CreateObservableGauge("etcd.maintenance.member.up", () => PerMember(static m => m.IsUp ? 1 : 0, includeDown: true), "1", "Whether the member answered its last status call.");
        _meter.CreateObservableGauge("etcd.maintenance.db.size", () => PerMember(static m => m.Status!.DbSize), "By", "The physical size of the member's backend database (what the quota is checked against).");
        _meter.CreateObservableGauge("etcd.maintenance.db.size_in_use", () => PerMember(static m => m.Status!.DbSizeInUse), "By", "The bytes of the member's database in use.");
        _meter.CreateObservableGauge("etcd.maintenance.db.quota", () => PerMember(static m => m.Status!.DbSizeQuota), "By", "The member's backend quota, when known.");
        _meter.CreateObservableGauge("etcd.maintenance.db.quota_usage", () => PerMember(static m => m.Status!.QuotaUsage), "1", "The database size over the quota.");
        _meter.CreateObservableGauge("etcd.maintenance.db.fragmentation", () => PerMember(static m => m.Status!.FragmentationRatio), "1", "The share of the database file not in use.");
        _meter.CreateObservableGauge("etcd.maintenance.raft.apply_lag", () => PerMember(static m => (long)Math.Min(m.Status!.ApplyLag, long.MaxValue)), "{entry}", "Committed raft entries not yet applied.");
        _meter.CreateObservableGauge("etcd.maintenance.raft.index_lag", IndexLag, "{entry}", "Raft entries the member is behind the leader.");
        _meter.CreateObservableGauge("etcd.maintenance.alarms.active", Alarms, "{alarm}", "Active alarms, by type.");
        _meter.CreateObservableGauge("etcd.maintenance.findings.active", Findings, "{finding}", "The latest round's findings, by kind and severity.");
    }

    public void RecordCall(MemberSnapshot member)
    {
        if (!_pollDuration.Enabled)
        {
            return;
        }

        var tags = new TagList
        {
            { "etcd.endpoint", member.Endpoint.Text },
            { "etcd.member.id", member.MemberId.ToString() },
        };
        if (member.Error is { } error)
        {
            tags.Add("error.type", error.ErrorCode.ToString());
        }

        _pollDuration.Record(member.Latency.TotalSeconds, tags);
    }

    public void RecordRound(ClusterSnapshot snapshot, long newLeaderChanges)
    {
        Volatile.Write(ref _latest, snapshot);
        if (newLeaderChanges > 0)
        {
            _leaderChanges.Add(newLeaderChanges);
        }
    }

    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }

    private static KeyValuePair<string, object?>[] MemberTags(MemberSnapshot member) =>
    [
        new("etcd.endpoint", member.Endpoint.Text),
        new("etcd.member.id", member.MemberId.ToString()),
    ];

    private List<Measurement<T>> PerMember<T>(Func<MemberSnapshot, T?> value, bool includeDown = false)
        where T : struct
    {
        if (Volatile.Read(ref _latest) is not { } latest)
        {
            return [];
        }

        var measurements = new List<Measurement<T>>(latest.Members.Count);
        foreach (var member in latest.Members)
        {
            if ((includeDown || member.IsUp) && value(member) is { } measured)
            {
                measurements.Add(new Measurement<T>(measured, MemberTags(member)));
            }
        }

        return measurements;
    }

    private List<Measurement<T>> PerMember<T>(Func<MemberSnapshot, T> value, bool includeDown = false)
        where T : struct =>
        PerMember<T>(m => (T?)value(m), includeDown);

    private IEnumerable<Measurement<long>> IndexLag()
    {
        if (Volatile.Read(ref _latest) is not { } latest)
        {
            return [];
        }

        var leaderIndex = latest.LeaderStatus?.RaftIndex ?? latest.Members.Max(m => m.Status?.RaftIndex ?? 0);
        return PerMember(m => (long)(leaderIndex > m.Status!.RaftIndex ? Math.Min(leaderIndex - m.Status.RaftIndex, long.MaxValue) : 0));
    }

    private IEnumerable<Measurement<int>> Alarms()
    {
        if (Volatile.Read(ref _latest) is not { } latest)
        {
            return [];
        }

        return
        [
            .. new[] { EtcdAlarmType.NoSpace, EtcdAlarmType.Corrupt }.Select(type =>
                new Measurement<int>(latest.Alarms.Count(a => a.Type == type), new KeyValuePair<string, object?>("etcd.alarm.type", EtcdAlarm.TypeName(type)))),
        ];
    }

    private IEnumerable<Measurement<int>> Findings()
    {
        if (Volatile.Read(ref _latest) is not { } latest)
        {
            return [];
        }

        return
        [
            .. latest.Findings.GroupBy(f => (f.Kind, f.Severity)).Select(g => new Measurement<int>(g.Count(),
                new KeyValuePair<string, object?>("etcd.finding.kind", g.Key.Kind.ToString()),
                new KeyValuePair<string, object?>("etcd.finding.severity", g.Key.Severity.ToString()))),
        ];
    }
}
