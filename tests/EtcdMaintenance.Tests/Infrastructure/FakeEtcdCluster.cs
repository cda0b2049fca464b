using System.Security.Cryptography;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Infrastructure;

/// <summary>One member of a <see cref="FakeEtcdCluster"/>.</summary>
public sealed class FakeMember
{
    public required MemberId Id { get; set; }

    public string Name { get; set; } = string.Empty;

    public required string PeerUrl { get; init; }

    public required string ClientUrl { get; init; }

    public bool IsLearner { get; set; }

    public bool Running { get; set; } = true;

    public uint Hash { get; set; } = 42;

    /// <summary>When set, the member's endpoint answers as a member of another cluster.</summary>
    public ulong? ForeignClusterId { get; set; }
}

/// <summary>
/// An in-memory etcd cluster behind <see cref="IEtcdMaintenanceClient"/>: members, leader, member changes and hashes,
/// with queues of refusals to inject. No sockets.
/// </summary>
public sealed class FakeEtcdCluster : FakeClient
{
    public const ulong Id = 0x5c72ca3e1c6b0e4dUL;
    private ulong _nextId = 0x1000;

    public FakeEtcdCluster(int members = 3)
    {
        for (var i = 1; i <= members; i++)
        {
            Members.Add(new FakeMember { Id = new MemberId((ulong)i * 0x1111), Name = $"n{i}", PeerUrl = $"http://10.0.0.{i}:2380", ClientUrl = $"http://10.0.0.{i}:2379" });
        }

        Leader = Members[0].Id;
        Endpoints = [.. Members.Select(m => EtcdEndpoint.Parse(m.ClientUrl))];
    }

    public List<FakeMember> Members { get; } = [];

    public MemberId Leader { get; set; }

    public long Revision { get; set; } = 100;

    public ulong RaftIndex { get; set; } = 500;

    /// <summary>Errors thrown by the next member changes, by RPC name (MemberRemove, MemberAdd, MemberPromote), before they take effect.</summary>
    public Dictionary<string, Queue<EtcdException>> Refusals { get; } = new(StringComparer.Ordinal);

    /// <summary>Every member change applied, in order.</summary>
    public List<string> Changes { get; } = [];

    public override IReadOnlyList<EtcdEndpoint> Endpoints { get; }

    public FakeMember this[string name] => Members.Single(m => m.Name == name);

    public void Refuse(string rpc, int times, EtcdErrorCode code, string message)
    {
        if (!Refusals.TryGetValue(rpc, out var queue))
        {
            Refusals[rpc] = queue = new Queue<EtcdException>();
        }

        for (var i = 0; i < times; i++)
        {
            queue.Enqueue(code == EtcdErrorCode.UnhealthyCluster
                ? new EtcdUnhealthyClusterException(message, null, "Cluster." + rpc, EtcdStatusCode.Unavailable, message)
                : new EtcdException(message, null, "Cluster." + rpc, EtcdStatusCode.FailedPrecondition, code, message));
        }
    }

    public static EtcdException Unavailable(string endpoint, string operation) =>
        new EtcdUnavailableException($"{operation} on {endpoint} failed: connection refused.", endpoint, operation, EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable, null, null);

    public override Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        var member = Members.FirstOrDefault(m => m.ClientUrl.Length > 0 && EtcdEndpoint.Parse(m.ClientUrl).Equals(endpoint) && m.Running)
            ?? throw Unavailable(endpoint.Text, "Maintenance.Status");
        var clusterId = member.ForeignClusterId ?? Id;
        var leader = member.ForeignClusterId is null ? Leader : member.Id;
        return Task.FromResult(new EndpointStatus(endpoint.Text, member.Id, "3.4.23", 1_000_000, leader, RaftIndex, 2, RaftIndex)
        {
            Header = new ResponseHeader(clusterId, member.Id, Revision, 2),
            DbSizeInUse = 900_000,
            IsLearner = member.IsLearner,
        });
    }

    public override async Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken = default)
    {
        var entries = new List<EndpointStatusResult>();
        foreach (var endpoint in Endpoints)
        {
            try
            {
                entries.Add(new EndpointStatusResult(endpoint, await GetStatusAsync(endpoint, cancellationToken), null));
            }
            catch (EtcdException ex)
            {
                entries.Add(new EndpointStatusResult(endpoint, null, ex));
            }
        }

        return new ClusterStatus(entries);
    }

    public override async Task<EndpointHealth> CheckHealthAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        try
        {
            await GetStatusAsync(endpoint, cancellationToken);
            return new EndpointHealth(endpoint, true, TimeSpan.Zero, null) { AnswersReads = true };
        }
        catch (EtcdException ex)
        {
            return new EndpointHealth(endpoint, false, TimeSpan.Zero, ex.Message);
        }
    }

    public override async Task<IReadOnlyList<EndpointHealth>> CheckClusterHealthAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(Endpoints.Select(e => CheckHealthAsync(e, cancellationToken)));

    public override Task<IReadOnlyList<EtcdAlarm>> GetAlarmsAsync(CancellationToken cancellationToken = default) => Task.FromResult<IReadOnlyList<EtcdAlarm>>([]);





    public override async Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default)
    {
        var status = await GetStatusAsync(endpoint, cancellationToken);
        var member = Members.Single(m => m.Id == status.MemberId);
        return new HashKvResult(endpoint, status.Header!, member.Hash, 0, revision);
    }

    public override async Task<SnapshotResult> SnapshotAsync(EtcdEndpoint endpoint, Stream destination, CancellationToken cancellationToken = default)
    {
        await GetStatusAsync(endpoint, cancellationToken);
        var data = new byte[4096];
        Random.Shared.NextBytes(data);
        var sha = SHA256.HashData(data);
        await destination.WriteAsync(data, cancellationToken);
        await destination.WriteAsync(sha, cancellationToken);
        return new SnapshotResult(endpoint, data.Length + sha.Length, Convert.ToHexStringLower(sha), Revision);
    }

    public override Task<ResponseHeader> MoveLeaderAsync(MemberId target, CancellationToken cancellationToken = default)
    {
        Changes.Add($"move-leader {target}");
        Leader = target;
        return Task.FromResult(Header());
    }

    public override Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default)
    {
        if (!Members.Any(m => m.Running && m.ForeignClusterId is null && !m.IsLearner))
        {
            throw Unavailable(Endpoints[0].Text, "Cluster.MemberList");
        }

        return Task.FromResult(List());
    }

    public override Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default)
    {
        Refused("MemberAdd");
        if (Members.Any(m => peerUrls.Contains(m.PeerUrl)))
        {
            throw new EtcdException("Peer URLs already exists", null, "Cluster.MemberAdd", EtcdStatusCode.FailedPrecondition, EtcdErrorCode.PeerUrlExists, "etcdserver: Peer URLs already exists");
        }

        var member = new FakeMember { Id = new MemberId(_nextId++), PeerUrl = peerUrls[0], ClientUrl = string.Empty, IsLearner = asLearner, Running = false };
        Members.Add(member);
        Changes.Add($"add {member.Id} {peerUrls[0]}{(asLearner ? " learner" : string.Empty)}");
        return Task.FromResult(new MemberAddResult(Header(), ToMember(member), List().Members));
    }

    public override Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Refused("MemberRemove");
        var member = Members.FirstOrDefault(m => m.Id == memberId)
            ?? throw new EtcdMemberNotFoundException("member not found", null, "Cluster.MemberRemove", "etcdserver: member not found");
        Members.Remove(member);
        Changes.Add($"remove {memberId}");
        return Task.FromResult(List());
    }


    public override Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        Refused("MemberPromote");
        var member = Members.Single(m => m.Id == memberId);
        if (!member.IsLearner)
        {
            throw new EtcdException("not a learner", null, "Cluster.MemberPromote", EtcdStatusCode.FailedPrecondition, EtcdErrorCode.MemberNotLearner, "etcdserver: can only promote a learner member");
        }

        member.IsLearner = false;
        Changes.Add($"promote {memberId}");
        return Task.FromResult(List());
    }

    public override Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default) => Task.FromResult(Header());


    private void Refused(string rpc)
    {
        if (Refusals.TryGetValue(rpc, out var queue) && queue.TryDequeue(out var error))
        {
            throw error;
        }
    }

    private ResponseHeader Header() => new(Id, Members.First(m => m.Running).Id, Revision, 2);

    private EtcdMemberList List() => new(Header(), [.. Members.Select(ToMember)]);

    private static EtcdMember ToMember(FakeMember m) =>
        new(m.Id, m.Name, [m.PeerUrl], m.Name.Length == 0 ? [] : [m.ClientUrl], m.IsLearner);
}

/// <summary>A host for one member of a <see cref="FakeEtcdCluster"/>, with a real manifest file and data dir in a temp directory.</summary>
public sealed class FakeMemberHost : IEtcdMemberHost, IDisposable
{
    private readonly FakeEtcdCluster _cluster;
    private readonly string _root;
    private readonly string _clientUrl;
    private readonly string _peerUrl;
    private bool _started = true;

    public FakeMemberHost(FakeEtcdCluster cluster, string name)
    {
        _cluster = cluster;
        var member = cluster[name];
        _clientUrl = member.ClientUrl;
        _peerUrl = member.PeerUrl;
        _root = Directory.CreateTempSubdirectory("fake-host-").FullName;
        Name = name;
        DataDirectory = Path.Combine(_root, "data", name);
        Directory.CreateDirectory(Path.Combine(DataDirectory, "member", "snap"));
        ManifestPath = Path.Combine(_root, "manifests", name + ".yaml");
        LocalProcessEtcdHost.WriteManifest(ManifestPath, name,
        [
            $"--name={name}", $"--data-dir={DataDirectory}", $"--advertise-client-urls={member.ClientUrl}", $"--initial-advertise-peer-urls={member.PeerUrl}",
            $"--initial-cluster={string.Join(',', cluster.Members.Select(m => $"{m.Name}={m.PeerUrl}"))}", "--initial-cluster-state=new",
        ]);
    }

    public string Name { get; }

    public string ManifestPath { get; }

    public string DataDirectory { get; }

    public string Root => _root;

    public bool RestartsOnManifestChange => false;

    public List<string> Actions { get; } = [];

    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) => Task.FromResult<EtcdFlagFile>(EtcdManifest.Load(ManifestPath));

    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default) =>
        ManifestFile.SaveAsync(manifest, new ManifestSaveOptions { BackupDirectory = Path.Combine(_root, "backups"), DryRun = dryRun }, cancellationToken);

    public Task ApplyManifestAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => Task.FromResult(_started);

    public Task StopAsync(CancellationToken cancellationToken = default)
    {
        Actions.Add("stop");
        _started = false;
        foreach (var member in _cluster.Members.Where(m => m.PeerUrl == _peerUrl))
        {
            member.Running = false;
        }

        return Task.CompletedTask;
    }

    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        Actions.Add("start");
        _started = true;
        var manifest = EtcdManifest.Load(ManifestPath);
        var index = _cluster.Members.FindIndex(m => m.PeerUrl == _peerUrl);
        if (index >= 0 && manifest.GetInitialClusterState() == InitialClusterState.Existing)
        {
            // Joins as the member added with these peer URLs, and publishes its name.
            var old = _cluster.Members[index];
            _cluster.Members[index] = new FakeMember { Id = old.Id, Name = manifest.GetName()!, PeerUrl = _peerUrl, ClientUrl = _clientUrl, IsLearner = old.IsLearner, Running = true };
        }
        else if (index >= 0)
        {
            _cluster.Members[index].Running = true;
        }

        Directory.CreateDirectory(Path.Combine(DataDirectory, "member"));
        return Task.CompletedTask;
    }

    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default)
    {
        Actions.Add("archive");
        if (!Directory.Exists(dataDirectory))
        {
            return Task.FromResult<string?>(null);
        }

        var target = dataDirectory + ".replaced-20260101T000000Z";
        Directory.Move(dataDirectory, target);
        return Task.FromResult<string?>(target);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
