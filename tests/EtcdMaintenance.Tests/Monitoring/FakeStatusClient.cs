using EtcdMaintenance.Monitoring;
using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.Tests.Monitoring;

/// <summary>An <see cref="IEtcdMaintenanceClient"/> that answers only status, from a function the test controls.</summary>
internal sealed class FakeStatusClient(IReadOnlyList<EtcdEndpoint> endpoints, Func<EtcdEndpoint, CancellationToken, Task<EndpointStatus>> status) : FakeClient
{
    private int _inFlight;
    private int _maxInFlight;
    private int _calls;

    public override IReadOnlyList<EtcdEndpoint> Endpoints { get; } = endpoints;

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public int InFlight => Volatile.Read(ref _inFlight);

    public int Calls => Volatile.Read(ref _calls);

    public static IReadOnlyList<EtcdEndpoint> ThreeEndpoints { get; } =
        [EtcdEndpoint.Parse("http://10.0.0.1:2379"), EtcdEndpoint.Parse("http://10.0.0.2:2379"), EtcdEndpoint.Parse("http://10.0.0.3:2379")];

    public static EtcdException Refused(EtcdEndpoint endpoint) =>
        EtcdMaintenance.Transport.RpcErrors.FromTransport(endpoint.Text, "Maintenance.Status", new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused"));

    public override async Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _calls);
        var now = Interlocked.Increment(ref _inFlight);
        int max;
        while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }

        try
        {
            return await status(endpoint, cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}

/// <summary>Builds statuses and snapshots for diagnostics tests.</summary>
internal static class Snapshots
{
    public const long MiB = 1024 * 1024;

    public static readonly DateTimeOffset T0 = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public static EtcdEndpoint Endpoint(int index) => FakeStatusClient.ThreeEndpoints[index];

    public static MemberId Id(int index) => new((ulong)(0x1000 + index));

    /// <summary>A healthy member: member <paramref name="index"/> of three, member 0 leads, 10 MiB with 8 in use, quota 100 MiB, index 1000.</summary>
    public static EndpointStatus Status(int index, long dbSize = 10 * MiB, long? inUse = 8 * MiB, long? quota = 100 * MiB,
        ulong raftIndex = 1000, ulong applied = 1000, int leader = 0, ulong term = 2, bool learner = false, IReadOnlyList<string>? errors = null) =>
        new(Endpoint(index).Text, Id(index), "3.4.23", dbSize, leader < 0 ? MemberId.None : Id(leader), raftIndex, term, applied)
        {
            Header = new ResponseHeader(42, Id(index), 500, term),
            DbSizeInUse = inUse,
            DbSizeQuota = quota,
            IsLearner = learner,
            Errors = errors ?? [],
        };

    public static MemberSnapshot Up(EndpointStatus status) =>
        new() { Endpoint = EtcdEndpoint.Parse(status.Endpoint), Status = status, Latency = TimeSpan.FromMilliseconds(1) };

    public static MemberSnapshot Down(int index, bool knownId = true) =>
        new() { Endpoint = Endpoint(index), Error = FakeStatusClient.Refused(Endpoint(index)), Latency = TimeSpan.FromMilliseconds(1), MemberId = knownId ? Id(index) : MemberId.None };

    public static ClusterSnapshot Cluster(params MemberSnapshot[] members) => At(0, members);

    public static ClusterSnapshot At(double minutes, params MemberSnapshot[] members) =>
        new()
        {
            Round = (long)(minutes * 10) + 1,
            Timestamp = T0 + TimeSpan.FromMinutes(minutes),
            Members = members,
            Alarms = AlarmText.FromErrors(members),
        };

    public static ClusterSnapshot Healthy(double minutes = 0) => At(minutes, Up(Status(0)), Up(Status(1)), Up(Status(2)));
}
