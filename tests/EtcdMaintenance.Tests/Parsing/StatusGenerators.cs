using System.Globalization;
using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Parsing;

/// <summary>A cluster's endpoint statuses as one etcdctl run would print them, and which etcdctl prints them.</summary>
public sealed record GeneratedCluster(IReadOnlyList<EndpointStatus> Statuses, EtcdctlVersion Version)
{
    public override string ToString() => $"{Version}: " + string.Join("; ", Statuses.Select(s =>
        $"{s.Endpoint} {s.MemberId} v{s.Version} db={s.DbSize} inUse={s.DbSizeInUse} quota={s.DbSizeQuota} leader={s.Leader} term={s.RaftTerm} " +
        $"index={s.RaftIndex} applied={s.RaftAppliedIndex} learner={s.IsLearner} rev={s.Revision} errors=[{string.Join("|", s.Errors)}]"));
}

/// <summary>FsCheck generators of realistic etcd status values, including the awkward ones (IDs above long.MaxValue, sizes at unit boundaries).</summary>
public static class StatusGenerators
{
    public static readonly string[] Formats = ["json", "table", "fields", "simple"];

    public static Gen<ulong> AnyUInt64 =>
        Gen.OneOf(
            Gen.Choose(0, 1000).Select(i => (ulong)i),
            Gen.Choose(int.MinValue, int.MaxValue).Two().Select(t => ((ulong)(uint)t.Item1 << 32) | (uint)t.Item2),
            Gen.Elements(ulong.MaxValue, (ulong)long.MaxValue, (ulong)long.MaxValue + 1, 18219664082543276670UL));

    public static Gen<long> Size =>
        Gen.OneOf(
            Gen.Choose(0, 999).Select(i => (long)i),
            Gen.Choose(1000, int.MaxValue).Select(i => (long)i),
            Gen.Choose(0, int.MaxValue).Two().Select(t => (((long)t.Item1 << 20) | (uint)t.Item2 & 0xFFFFF) % 9_000_000_000_000_000),
            Gen.Elements(999L, 1000L, 9_949L, 9_950L, 9_999L, 10_000L, 999_499L, 999_500L, 999_999L, 1_000_000L, 16_834_560L, 8_400_000L, 20_480L, 2_147_483_648L));

    public static Gen<long> Revision =>
        Gen.OneOf(
            Gen.Choose(1, int.MaxValue).Select(i => (long)i),
            AnyUInt64.Select(u => (long)(u >> 1)).Where(r => r > 0),
            Gen.Constant(long.MaxValue));

    public static Gen<string> Endpoint =>
        from scheme in Gen.Elements("", "http://", "https://")
        from host in Gen.OneOf(
            Gen.Choose(0, 255).Four().Select(t => $"{t.Item1}.{t.Item2}.{t.Item3}.{t.Item4}"),
            Gen.Elements("localhost", "etcd-0.etcd.kube-system.svc", "node-1.example.com", "[fd00::1]"))
        from port in Gen.Choose(1, 65535)
        select $"{scheme}{host}:{port.ToString(CultureInfo.InvariantCulture)}";

    public static Gen<GeneratedCluster> Cluster =>
        from version in Gen.Elements(EtcdctlVersion.V34, EtcdctlVersion.V36)
        from count in Gen.Choose(1, 5)
        from ids in AnyUInt64.Where(id => id != 0).ArrayOf(count).Where(a => a.Distinct().Count() == a.Length)
        from clusterId in AnyUInt64
        from leader in Gen.OneOf(Gen.Elements(ids), Gen.Constant(0UL), AnyUInt64)
        from statuses in Gen.CollectToList(ids, id => StatusFor(version, clusterId, id, leader, ids))
        select new GeneratedCluster(statuses, version);

    public static Arbitrary<GeneratedCluster> ClusterArbitrary => Cluster.ToArbitrary();

    private static Gen<EndpointStatus> StatusFor(EtcdctlVersion version, ulong clusterId, ulong id, ulong leader, ulong[] ids) =>
        from endpoint in Endpoint
        from serverVersion in Gen.Elements("3.4.23", "3.5.9", "3.5.17", "3.6.1", "3.6.0-rc.3")
        from dbSize in Size
        from inUseShare in Gen.Choose(1, 100)
        from raftTerm in AnyUInt64
        from raftIndex in AnyUInt64
        from applied in Gen.OneOf(Gen.Constant(raftIndex), AnyUInt64)
        from isLearner in Gen.Frequency((4, Gen.Constant(false)), (1, Gen.Constant(true)))
        from errorCount in Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
        from alarmed in Gen.Elements(ids).ArrayOf(errorCount)
        from alarms in Gen.Elements("NOSPACE", "CORRUPT").ArrayOf(errorCount)
        from revision in Revision
        from headerTerm in AnyUInt64
        from quota in Gen.OneOf(Gen.Constant(0L), Size)
        select new EndpointStatus(endpoint, id, serverVersion, dbSize, leader, raftIndex, raftTerm, applied)
        {
            Header = new ResponseHeader(clusterId, id, revision, headerTerm),
            DbSizeInUse = version == EtcdctlVersion.V36 || dbSize > 0 ? Math.Max(1, dbSize / 100 * inUseShare) : null,
            IsLearner = isLearner,
            Errors = [.. alarmed.Zip(alarms, (m, a) => $"memberID:{m.ToString(CultureInfo.InvariantCulture)} alarm:{a} ")],
            StorageVersion = version == EtcdctlVersion.V36 ? "3.6.0" : null,
            DbSizeQuota = version == EtcdctlVersion.V36 && quota > 0 ? quota : null,
        };
}
