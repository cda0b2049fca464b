using System.Diagnostics;
using System.Reflection;

namespace EtcdMaintenance.Monitoring;

/// <summary>
/// The names to subscribe to for the library's telemetry, e.g. with OpenTelemetry:
/// <c>.WithTracing(t =&gt; t.AddSource(EtcdTelemetry.ActivitySourceName))</c> and
/// <c>.WithMetrics(m =&gt; m.AddMeter(EtcdTelemetry.MeterName))</c>.
/// </summary>
/// <remarks>
/// Traces: one client activity per etcd RPC, named <c>etcdserverpb.Maintenance/Status</c> and so on, with OpenTelemetry's
/// RPC tags (<c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>, <c>server.address</c>, <c>server.port</c>,
/// <c>rpc.grpc.status_code</c>, <c>error.type</c>), and one internal activity per <see cref="ClusterPoller"/> round
/// (<c>etcd.maintenance.poll</c>).
/// <para>
/// Metrics, from each <see cref="ClusterPoller"/> (tags <c>etcd.endpoint</c> and <c>etcd.member.id</c> per member):
/// <c>etcd.maintenance.member.up</c> (1 or 0), <c>etcd.maintenance.db.size</c> and <c>etcd.maintenance.db.size_in_use</c>
/// (By), <c>etcd.maintenance.db.quota</c> (By), <c>etcd.maintenance.db.quota_usage</c> and
/// <c>etcd.maintenance.db.fragmentation</c> (ratios, unit 1), <c>etcd.maintenance.raft.apply_lag</c> and
/// <c>etcd.maintenance.raft.index_lag</c> ({entry}), <c>etcd.maintenance.poll.duration</c> (s, a histogram of status
/// round trips, with <c>error.type</c> on failures); cluster-wide: <c>etcd.maintenance.leader.changes</c> ({change}, a
/// counter), <c>etcd.maintenance.alarms.active</c> ({alarm}, by <c>etcd.alarm.type</c>) and
/// <c>etcd.maintenance.findings.active</c> ({finding}, by <c>etcd.finding.kind</c> and <c>etcd.finding.severity</c>).
/// </para>
/// </remarks>
public static class EtcdTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> name: <c>EtcdMaintenance</c>.</summary>
    public const string ActivitySourceName = "EtcdMaintenance";

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> name: <c>EtcdMaintenance</c>.</summary>
    public const string MeterName = "EtcdMaintenance";

    /// <summary>The library's version, as the activity source and the meter report it.</summary>
    internal static readonly string Version = typeof(EtcdTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Monitoring's activity source (the poller's rounds); the same name as the RPC activities' source, so one subscription gets both.</summary>
    internal static readonly ActivitySource ActivitySource = new(ActivitySourceName, Version);
}
