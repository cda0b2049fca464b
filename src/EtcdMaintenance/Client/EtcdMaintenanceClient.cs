using System.Collections.Concurrent;
using EtcdMaintenance.Transport;
using Etcdserverpb;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EtcdMaintenance;

/// <summary>
/// The <see cref="IEtcdMaintenanceClient"/> over etcd's gRPC API. Create one per cluster and keep it for the
/// application's lifetime: it holds one HTTP/2 connection per member and is safe to use from many threads.
/// </summary>
public sealed partial class EtcdMaintenanceClient : IEtcdMaintenanceClient, IDisposable
{
    /// <summary>The key prefix reserved for the library's own probe writes.</summary>
    public const string ReservedKeyPrefix = "/etcd-maintenance/";

    private static readonly StatusRequest s_statusRequest = new();

    // The "request" handed to the transport is the endpoint's own StatusMethod; the message sent is the empty StatusRequest.
    private static readonly UnaryCall<StatusMethod, EndpointStatus> s_status = static (c, m, o) => c.Invoker.AsyncUnaryCall(m.Method, null, o, s_statusRequest);
    private static readonly UnaryCall<PutRequest, PutResponse> s_put = static (c, r, o) => c.KV.PutAsync(r, o);
    private static readonly UnaryCall<RangeRequest, RangeResponse> s_range = static (c, r, o) => c.KV.RangeAsync(r, o);
    private static readonly UnaryCall<DeleteRangeRequest, DeleteRangeResponse> s_deleteRange = static (c, r, o) => c.KV.DeleteRangeAsync(r, o);

    private readonly GrpcTransport _transport;
    private readonly EtcdHttpHandlerFactory? _handlerFactory;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ConcurrentDictionary<EtcdEndpoint, string> _tokens = new();
    private readonly ConcurrentDictionary<EtcdEndpoint, StatusMethod> _statusMethods = new();
    private readonly string? _username;
    private readonly string? _password;
    private int _preferredEndpoint;

    /// <summary>Creates a client for plain-HTTP endpoints, e.g. <c>new EtcdMaintenanceClient("http://127.0.0.1:2379")</c>.</summary>
    /// <param name="endpoints">Client URLs, comma-separated as etcdctl's <c>--endpoints</c> takes them.</param>
    public EtcdMaintenanceClient(string endpoints)
        : this(new EtcdClientOptions { Endpoints = [endpoints] })
    {
    }

    /// <summary>Creates a client.</summary>
    /// <param name="options">Where and how to connect; validated here (<see cref="OptionsValidationException"/> lists every problem).</param>
    /// <param name="logger">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <param name="timeProvider">
    /// The clock for call deadlines, elapsed times and the snapshot's idle timeout; <see cref="TimeProvider.System"/> when
    /// <see langword="null"/>. Grpc.Net.Client also enforces each call's deadline on the system clock (and sends it to etcd).
    /// </param>
    /// <exception cref="OptionsValidationException">The options are invalid.</exception>
    /// <exception cref="ArgumentException">A TLS file could not be loaded.</exception>
    public EtcdMaintenanceClient(EtcdClientOptions options, ILogger<EtcdMaintenanceClient>? logger = null, TimeProvider? timeProvider = null)
        : this(options, logger, timeProvider, handlerFactory: null)
    {
    }

    /// <summary>A client whose channels use the handlers <paramref name="handlerFactory"/> makes (unit tests), or the configured ones.</summary>
    internal EtcdMaintenanceClient(EtcdClientOptions options, ILogger? logger, TimeProvider? timeProvider, Func<EtcdEndpoint, HttpMessageHandler>? handlerFactory)
    {
        ArgumentNullException.ThrowIfNull(options);
        var validation = new EtcdClientOptionsValidator().Validate(Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Options.DefaultName, typeof(EtcdClientOptions), validation.Failures);
        }

        Settings = options;
        Endpoints = options.ParseEndpoints();
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _username = options.Username;
        _password = options.Password;
        var transport = options.ToTransportSettings();
        if (handlerFactory is null)
        {
            _handlerFactory = new EtcdHttpHandlerFactory(transport);
            handlerFactory = _handlerFactory.Create;
        }

        _transport = new GrpcTransport(handlerFactory, transport.Interceptors, _timeProvider, _logger);
        Quotas = new MemberQuotaCache(_handlerFactory is null ? null : _handlerFactory.Create, _timeProvider, options.CommandTimeout, _logger);
    }

    /// <inheritdoc />
    public IReadOnlyList<EtcdEndpoint> Endpoints { get; }

    internal EtcdClientOptions Settings { get; }

    internal TimeProvider TimeProvider => _timeProvider;

    /// <summary>Members' quotas read from their metrics (etcd before 3.6), cached per endpoint.</summary>
    internal MemberQuotaCache Quotas { get; }

    /// <summary>
    /// Checks that every configured endpoint that answers belongs to one cluster (the cluster ID in its status header).
    /// Every change this client makes (compact, defragment, alarm disarm, member changes, move-leader, probe write) runs
    /// this check first.
    /// </summary>
    /// <remarks>RPC <c>Maintenance.Status</c> per endpoint, as <c>etcdctl endpoint status</c> shows the cluster IDs.</remarks>
    /// <returns>The cluster ID, or <see langword="null"/> when no endpoint answered.</returns>
    /// <exception cref="EtcdClusterMismatchException">The endpoints answer for more than one cluster; the message names the stray ones.</exception>
    public Task<ulong?> EnsureSingleClusterAsync(CancellationToken cancellationToken = default) =>
        ClusterIdentity.EnsureAsync(this, "EnsureSingleCluster", null, cancellationToken);

    /// <inheritdoc />
    public async Task<EndpointStatus> GetStatusAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        // The polling hot path: without auth there is no token to add, so straight to the transport (one async frame less).
        var method = _statusMethods.GetOrAdd(endpoint, static (e, client) => new StatusMethod(e, client.Settings.QuotaBackendBytes, client.Quotas), this);
        var status = _username is null
            ? await _transport.UnaryAsync(endpoint, EtcdRpc.Status, s_status, method, Settings.CommandTimeout, null, cancellationToken).ConfigureAwait(false)
            : await CallAsync(endpoint, EtcdRpc.Status, s_status, method, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);

        // The decoder put the quota in already unless the member's metrics have not been read (or are stale).
        return status.QuotaSource == EtcdQuotaSource.Unknown && status.QuotaUnavailableReason is null
            ? await Quotas.ApplyAsync(endpoint, status, cancellationToken).ConfigureAwait(false)
            : status;
    }

    /// <inheritdoc />
    public async Task<ClusterStatus> GetClusterStatusAsync(CancellationToken cancellationToken = default)
    {
        var tasks = new Task<EndpointStatusResult>[Endpoints.Count];
        for (var i = 0; i < tasks.Length; i++)
        {
            tasks[i] = StatusEntryAsync(Endpoints[i], cancellationToken);
        }

        return new ClusterStatus(await Task.WhenAll(tasks).ConfigureAwait(false));
    }

    /// <inheritdoc />
    public async Task<EndpointHealth> CheckHealthAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var started = _timeProvider.GetTimestamp();
        try
        {
            try
            {
                await CallAsync(endpoint, EtcdRpc.Range, static (c, r, o) => c.KV.RangeAsync(r, o), new RangeRequest { Key = ByteString.CopyFromUtf8("health") }, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdAuthException ex) when (ex.ErrorCode == EtcdErrorCode.PermissionDenied)
            {
                // etcdctl counts "permission denied" as healthy: the member answered through raft.
            }

            var alarms = await ListAlarmsAsync(endpoint, cancellationToken).ConfigureAwait(false);
            var elapsed = _timeProvider.GetElapsedTime(started);
            var error = alarms.Count == 0 ? null : "Active Alarm(s): " + string.Join(", ", alarms.Select(a => EtcdAlarm.TypeName(a.Type)).Distinct());
            return new EndpointHealth(endpoint, alarms.Count == 0, elapsed, error) { AnswersReads = true, Alarms = alarms };
        }
        catch (EtcdException ex)
        {
            return new EndpointHealth(endpoint, false, _timeProvider.GetElapsedTime(started), ex.Message);
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EndpointHealth>> CheckClusterHealthAsync(CancellationToken cancellationToken = default) =>
        await Task.WhenAll(Endpoints.Select(e => CheckHealthAsync(e, cancellationToken))).ConfigureAwait(false);

    /// <inheritdoc />
    public Task<IReadOnlyList<EtcdAlarm>> GetAlarmsAsync(CancellationToken cancellationToken = default) =>
        OnAnyEndpointAsync(EtcdRpc.Alarm.Name, idempotent: true, (endpoint, ct) => ListAlarmsAsync(endpoint, ct), cancellationToken);

    /// <inheritdoc />
    public Task<IReadOnlyList<EtcdAlarm>> DisarmAlarmAsync(MemberId memberId, EtcdAlarmType type, CancellationToken cancellationToken = default)
    {
        if (memberId.IsNone || type == EtcdAlarmType.None)
        {
            throw new ArgumentException("Give the member and the alarm type to disarm (use DisarmAllAlarmsAsync to disarm everything).", nameof(memberId));
        }

        return OnAnyEndpointAsync(EtcdRpc.Alarm.Name, idempotent: false, async (endpoint, ct) =>
        {
            var request = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Deactivate, MemberID = memberId.Value, Alarm = (AlarmType)type };
            var response = await CallAsync(endpoint, EtcdRpc.Alarm, static (c, r, o) => c.Maintenance.AlarmAsync(r, o), request, Settings.CommandTimeout, ct).ConfigureAwait(false);
            Log.AlarmDisarmed(_logger, type, memberId);
            return ToAlarms(response);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<EtcdAlarm>> DisarmAllAlarmsAsync(CancellationToken cancellationToken = default)
    {
        var disarmed = new List<EtcdAlarm>();
        foreach (var alarm in await GetAlarmsAsync(cancellationToken).ConfigureAwait(false))
        {
            disarmed.AddRange(await DisarmAlarmAsync(alarm.MemberId, alarm.Type, cancellationToken).ConfigureAwait(false));
        }

        return disarmed;
    }

    /// <inheritdoc />
    public Task<CompactionResult> CompactAsync(long revision, bool physical = true, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        var timeout = physical ? Settings.DefragmentTimeout : Settings.CommandTimeout;
        return OnAnyEndpointAsync(EtcdRpc.Compact.Name, idempotent: false, async (endpoint, ct) =>
        {
            CompactionResponse response;
            try
            {
                response = await CallAsync(endpoint, EtcdRpc.Compact, static (c, r, o) => c.KV.CompactAsync(r, o), new CompactionRequest { Revision = revision, Physical = physical }, timeout, ct).ConfigureAwait(false);
            }
            catch (EtcdRevisionException ex) when (ex.ErrorCode == EtcdErrorCode.RevisionCompacted)
            {
                // The history up to this revision is gone already: what was asked for holds, as etcdctl's user wants.
                return new CompactionResult(ToHeader(null), revision, physical) { AlreadyCompacted = true };
            }

            Log.Compacted(_logger, revision, physical, endpoint.Text);
            return new CompactionResult(ToHeader(response.Header), revision, physical);
        }, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<DefragmentResult> DefragmentAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        await ClusterIdentity.EnsureAsync(this, EtcdRpc.Defragment.Name, endpoint, cancellationToken).ConfigureAwait(false);
        Log.DefragmentStarting(_logger, endpoint.Text, Settings.DefragmentTimeout);
        var started = _timeProvider.GetTimestamp();
        var response = await CallAsync(endpoint, EtcdRpc.Defragment, static (c, r, o) => c.Maintenance.DefragmentAsync(r, o), new DefragmentRequest(), Settings.DefragmentTimeout, cancellationToken).ConfigureAwait(false);
        var elapsed = _timeProvider.GetElapsedTime(started);
        Log.DefragmentCompleted(_logger, endpoint.Text, elapsed);
        return new DefragmentResult(endpoint, ToHeader(response.Header), elapsed);
    }

    /// <inheritdoc />
    public async Task<HashKvResult> HashKvAsync(EtcdEndpoint endpoint, long revision = 0, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentOutOfRangeException.ThrowIfNegative(revision);
        var response = await CallAsync(endpoint, EtcdRpc.HashKv, static (c, r, o) => c.Maintenance.HashKVAsync(r, o), new HashKVRequest { Revision = revision }, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        var header = ToHeader(response.Header);
        var hashed = response.HashRevision != 0 ? response.HashRevision : revision != 0 ? revision : header.Revision;
        return new HashKvResult(endpoint, header, response.Hash, response.CompactRevision, hashed);
    }

    /// <inheritdoc />
    public async Task<SnapshotResult> SnapshotAsync(EtcdEndpoint endpoint, Stream destination, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The snapshot destination stream is not writable.", nameof(destination));
        }

        var token = await GetTokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        using var verifier = new SnapshotVerifier();
        long revision = 0;
        var first = true;
        var chunks = _transport.ServerStreamingAsync(endpoint, EtcdRpc.Snapshot, static (c, r, o) => c.Maintenance.Snapshot(r, o), new SnapshotRequest(), Settings.SnapshotTimeout, token, cancellationToken);
        await foreach (var chunk in chunks.ConfigureAwait(false))
        {
            if (first)
            {
                revision = chunk.Header?.Revision ?? 0;
                first = false;
            }

            var blob = chunk.Blob.Memory;
            verifier.Append(blob.Span);
            await destination.WriteAsync(blob, cancellationToken).ConfigureAwait(false);
        }

        await destination.FlushAsync(cancellationToken).ConfigureAwait(false);
        if (!verifier.TryComplete(out var sha256))
        {
            throw EtcdErrors.Protocol(endpoint.Text, EtcdRpc.Snapshot.Name, first ? "the snapshot stream was empty" : "the snapshot's SHA-256 trailer does not match its content (the download is corrupt)");
        }

        Log.SnapshotSaved(_logger, endpoint.Text, verifier.Length, sha256);
        return new SnapshotResult(endpoint, verifier.Length, sha256, revision);
    }

    /// <inheritdoc />
    public async Task<ResponseHeader> MoveLeaderAsync(MemberId target, CancellationToken cancellationToken = default)
    {
        if (target.IsNone)
        {
            throw new ArgumentException("Give the ID of the member to hand leadership to.", nameof(target));
        }

        var leader = await FindLeaderEndpointAsync(EtcdRpc.MoveLeader.Name, cancellationToken).ConfigureAwait(false);
        var response = await CallAsync(leader, EtcdRpc.MoveLeader, static (c, r, o) => c.Maintenance.MoveLeaderAsync(r, o), new MoveLeaderRequest { TargetID = target.Value }, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        Log.MemberChanged(_logger, EtcdRpc.MoveLeader.Name, target, leader.Text);
        return ToHeader(response.Header);
    }

    /// <inheritdoc />
    public Task<EtcdMemberList> ListMembersAsync(CancellationToken cancellationToken = default) =>
        OnAnyEndpointAsync(EtcdRpc.MemberList.Name, idempotent: true, async (endpoint, ct) =>
        {
            var response = await CallAsync(endpoint, EtcdRpc.MemberList, static (c, r, o) => c.Cluster.MemberListAsync(r, o), new MemberListRequest { Linearizable = true }, Settings.CommandTimeout, ct).ConfigureAwait(false);
            return new EtcdMemberList(ToHeader(response.Header), ToMembers(response.Members));
        }, cancellationToken);

    /// <inheritdoc />
    public Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default)
    {
        var request = new MemberAddRequest { IsLearner = asLearner };
        request.PeerURLs.Add(ValidatePeerUrls(peerUrls));
        return OnAnyEndpointAsync(EtcdRpc.MemberAdd.Name, idempotent: false, async (endpoint, ct) =>
        {
            var response = await CallAsync(endpoint, EtcdRpc.MemberAdd, static (c, r, o) => c.Cluster.MemberAddAsync(r, o), request, Settings.CommandTimeout, ct).ConfigureAwait(false);
            var member = ToMember(response.Member);
            Log.MemberChanged(_logger, EtcdRpc.MemberAdd.Name, member.Id, endpoint.Text);
            return new MemberAddResult(ToHeader(response.Header), member, ToMembers(response.Members));
        }, cancellationToken);
    }

    /// <inheritdoc />
    public Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) =>
        ChangeMemberAsync(EtcdRpc.MemberRemove, static (c, r, o) => c.Cluster.MemberRemoveAsync(r, o), memberId, new MemberRemoveRequest { ID = memberId.Value }, r => (r.Header, r.Members), cancellationToken);

    /// <inheritdoc />
    public Task<EtcdMemberList> UpdateMemberAsync(MemberId memberId, IReadOnlyList<string> peerUrls, CancellationToken cancellationToken = default)
    {
        var request = new MemberUpdateRequest { ID = memberId.Value };
        request.PeerURLs.Add(ValidatePeerUrls(peerUrls));
        return ChangeMemberAsync(EtcdRpc.MemberUpdate, static (c, r, o) => c.Cluster.MemberUpdateAsync(r, o), memberId, request, r => (r.Header, r.Members), cancellationToken);
    }

    /// <inheritdoc />
    public async Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default)
    {
        if (memberId.IsNone)
        {
            throw new ArgumentException("Give a member ID (etcdctl member list shows them).", nameof(memberId));
        }

        // Only the leader knows whether a learner has caught up: a follower forwards the promote to the leader over the
        // peer API without the caller's credentials, which with auth on fails after etcd's request timeout. So it goes
        // straight to the leader, as MoveLeader does.
        var leader = await FindLeaderEndpointAsync(EtcdRpc.MemberPromote.Name, cancellationToken).ConfigureAwait(false);
        var response = await CallAsync(leader, EtcdRpc.MemberPromote, static (c, r, o) => c.Cluster.MemberPromoteAsync(r, o), new MemberPromoteRequest { ID = memberId.Value }, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        Log.MemberChanged(_logger, EtcdRpc.MemberPromote.Name, memberId, leader.Text);
        return new EtcdMemberList(ToHeader(response.Header), ToMembers(response.Members));
    }

    /// <inheritdoc />
    public async Task<ResponseHeader> ProbeWriteAsync(CancellationToken cancellationToken = default)
    {
        await ClusterIdentity.EnsureAsync(this, EtcdRpc.Put.Name, null, cancellationToken).ConfigureAwait(false);
        return await OnAnyEndpointAsync(EtcdRpc.Put.Name, idempotent: true, async (endpoint, ct) =>
        {
            var key = ByteString.CopyFromUtf8($"{ReservedKeyPrefix}probe/{Guid.NewGuid():N}");
            var put = await CallAsync(endpoint, EtcdRpc.Put, s_put, new PutRequest { Key = key, Value = ByteString.CopyFromUtf8("probe") }, Settings.CommandTimeout, ct).ConfigureAwait(false);
            await CallAsync(endpoint, EtcdRpc.DeleteRange, s_deleteRange, new DeleteRangeRequest { Key = key }, Settings.CommandTimeout, ct).ConfigureAwait(false);
            return ToHeader(put.Header);
        }, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Closes the connections. Calls in flight fail; later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Closes the connections (synchronously: nothing to wait for), for containers disposed synchronously.</summary>
    public void Dispose()
    {
        _transport.Dispose();
        Quotas.Dispose();
        _handlerFactory?.Dispose();
    }

    /// <summary>
    /// Writes one key (RPC <c>KV.Put</c>; <c>etcdctl put</c>), through <paramref name="endpoint"/> or any endpoint. For
    /// probes, demos and restoring a test key - this library is not a general key-value client.
    /// </summary>
    /// <exception cref="EtcdNoSpaceException">NOSPACE is active.</exception>
    public async Task<ResponseHeader> PutAsync(string key, ReadOnlyMemory<byte> value, EtcdEndpoint? endpoint = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        var request = new PutRequest { Key = ByteString.CopyFromUtf8(key), Value = ByteString.CopyFrom(value.Span) };
        var response = endpoint is null
            ? await OnAnyEndpointAsync(EtcdRpc.Put.Name, idempotent: true, (e, ct) => CallAsync(e, EtcdRpc.Put, s_put, request, Settings.CommandTimeout, ct), cancellationToken).ConfigureAwait(false)
            : await CallAsync(endpoint, EtcdRpc.Put, s_put, request, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        return ToHeader(response.Header);
    }

    /// <summary>Reads every key with <paramref name="prefix"/> and its latest value (RPC <c>KV.Range</c>), optionally from one member serializably.</summary>
    internal async Task<IReadOnlyDictionary<string, byte[]>> GetPrefixAsync(string prefix, EtcdEndpoint? endpoint = null, CancellationToken cancellationToken = default)
    {
        var key = ByteString.CopyFromUtf8(prefix);
        var request = new RangeRequest { Key = key, RangeEnd = PrefixEnd(key), Serializable = endpoint is not null };
        var response = endpoint is null
            ? await OnAnyEndpointAsync(EtcdRpc.Range.Name, idempotent: true, (e, ct) => CallAsync(e, EtcdRpc.Range, s_range, request, Settings.CommandTimeout, ct), cancellationToken).ConfigureAwait(false)
            : await CallAsync(endpoint, EtcdRpc.Range, s_range, request, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false);
        return response.Kvs.ToDictionary(kv => kv.Key.ToStringUtf8(), kv => kv.Value.ToByteArray(), StringComparer.Ordinal);
    }

    /// <summary>Deletes every key with <paramref name="prefix"/> (RPC <c>KV.DeleteRange</c>).</summary>
    internal Task<long> DeletePrefixAsync(string prefix, CancellationToken cancellationToken = default) =>
        OnAnyEndpointAsync(EtcdRpc.DeleteRange.Name, idempotent: true, async (endpoint, ct) =>
        {
            var key = ByteString.CopyFromUtf8(prefix);
            var response = await CallAsync(endpoint, EtcdRpc.DeleteRange, s_deleteRange, new DeleteRangeRequest { Key = key, RangeEnd = PrefixEnd(key) }, Settings.CommandTimeout, ct).ConfigureAwait(false);
            return response.Deleted;
        }, cancellationToken);

    private async Task<EndpointStatusResult> StatusEntryAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            return new EndpointStatusResult(endpoint, await GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false), null);
        }
        catch (EtcdException ex)
        {
            return new EndpointStatusResult(endpoint, null, ex);
        }
    }

    private async Task<IReadOnlyList<EtcdAlarm>> ListAlarmsAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        var request = new AlarmRequest { Action = AlarmRequest.Types.AlarmAction.Get, MemberID = 0, Alarm = AlarmType.None };
        return ToAlarms(await CallAsync(endpoint, EtcdRpc.Alarm, static (c, r, o) => c.Maintenance.AlarmAsync(r, o), request, Settings.CommandTimeout, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>The leader's endpoint, after checking that the configured endpoints belong to one cluster.</summary>
    private async Task<EtcdEndpoint> FindLeaderEndpointAsync(string operation, CancellationToken cancellationToken)
    {
        var status = await GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        ClusterIdentity.Ensure(status, operation);
        if (status.Endpoints.FirstOrDefault(e => e.Status is { IsLeader: true }) is { } leader)
        {
            return leader.Endpoint;
        }

        // The leader is not among the configured endpoints: find its client URL in the member list.
        var leaderId = status.Reachable.Select(s => s.Leader).FirstOrDefault(l => !l.IsNone);
        var members = await ListMembersAsync(cancellationToken).ConfigureAwait(false);
        if (!leaderId.IsNone && members.Find(leaderId) is { ClientUrls.Count: > 0 } member)
        {
            return EtcdEndpoint.Parse(member.ClientUrls[0]);
        }

        throw EtcdErrors.FromStatus(null, operation, EtcdStatusCode.Unavailable,
            leaderId.IsNone ? "etcdserver: no leader" : $"the leader {leaderId} has no reachable client URL");
    }

    private Task<EtcdMemberList> ChangeMemberAsync<TRequest, TResponse>(
        EtcdRpc rpc, UnaryCall<TRequest, TResponse> call, MemberId memberId, TRequest request,
        Func<TResponse, (Etcdserverpb.ResponseHeader Header, Google.Protobuf.Collections.RepeatedField<Member> Members)> select,
        CancellationToken cancellationToken)
    {
        if (memberId.IsNone)
        {
            throw new ArgumentException("Give a member ID (etcdctl member list shows them).", nameof(memberId));
        }

        return OnAnyEndpointAsync(rpc.Name, idempotent: false, async (endpoint, ct) =>
        {
            var (header, members) = select(await CallAsync(endpoint, rpc, call, request, Settings.CommandTimeout, ct).ConfigureAwait(false));
            Log.MemberChanged(_logger, rpc.Name, memberId, endpoint.Text);
            return new EtcdMemberList(ToHeader(header), ToMembers(members));
        }, cancellationToken);
    }

    /// <summary>
    /// Runs a cluster-wide call on the first endpoint that answers, starting with the last one that did. A call that is
    /// not idempotent moves on only when the request certainly never left (the connection could not be made) or a learner
    /// refused it; it is a change, so it first checks that the endpoints belong to one cluster.
    /// </summary>
    private async Task<T> OnAnyEndpointAsync<T>(string operation, bool idempotent, Func<EtcdEndpoint, CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        if (!idempotent)
        {
            await ClusterIdentity.EnsureAsync(this, operation, null, cancellationToken).ConfigureAwait(false);
        }

        var start = Volatile.Read(ref _preferredEndpoint);
        EtcdException? last = null;
        for (var i = 0; i < Endpoints.Count; i++)
        {
            var index = (start + i) % Endpoints.Count;
            var endpoint = Endpoints[index];
            try
            {
                var result = await call(endpoint, cancellationToken).ConfigureAwait(false);
                Volatile.Write(ref _preferredEndpoint, index);
                return result;
            }
            catch (EtcdException ex) when (i < Endpoints.Count - 1 && CanFailOver(ex, idempotent))
            {
                Log.FailingOver(_logger, operation, endpoint.Text);
                last = ex;
            }
        }

        throw last ?? throw new InvalidOperationException("No endpoints are configured.");
    }

    // A learner refuses every call but Status and serializable reads before doing anything ("rpc not supported for
    // learner"), so even a call that is not idempotent can go on to the next endpoint: a rejoining member is often in the
    // endpoint list.
    private static bool CanFailOver(EtcdException exception, bool idempotent) =>
        exception.ErrorCode == EtcdErrorCode.NotSupportedForLearner ||
        (exception is EtcdUnavailableException && (idempotent || exception.InnerException is HttpRequestException
        {
            HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError,
        }));

    /// <summary>One call to one endpoint, with the auth token when auth is configured (re-acquired once if etcd rejects it).</summary>
    private async Task<TResponse> CallAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, EtcdRpc rpc, UnaryCall<TRequest, TResponse> call, TRequest request, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var token = _username is null ? null : await GetTokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
        try
        {
            return await _transport.UnaryAsync(endpoint, rpc, call, request, timeout, token, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex.ErrorCode == EtcdErrorCode.InvalidAuthToken && token is not null)
        {
            Log.TokenRejected(_logger, endpoint.Text, rpc.Name);
            _tokens.TryRemove(new KeyValuePair<EtcdEndpoint, string>(endpoint, token));
            token = await GetTokenAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return await _transport.UnaryAsync(endpoint, rpc, call, request, timeout, token, cancellationToken).ConfigureAwait(false);
        }
    }

    private static IReadOnlyList<string> ValidatePeerUrls(IReadOnlyList<string> peerUrls)
    {
        ArgumentNullException.ThrowIfNull(peerUrls);
        if (peerUrls.Count == 0)
        {
            throw new ArgumentException("Give at least one peer URL, e.g. https://10.0.0.4:2380.", nameof(peerUrls));
        }

        foreach (var url in peerUrls)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new ArgumentException($"'{url}' is not a peer URL: give http(s)://host:port, e.g. https://10.0.0.4:2380.", nameof(peerUrls));
            }
        }

        return peerUrls;
    }

    private static ByteString PrefixEnd(ByteString prefix)
    {
        var bytes = prefix.ToByteArray();
        for (var i = bytes.Length - 1; i >= 0; i--)
        {
            if (bytes[i] < 0xff)
            {
                bytes[i]++;
                return ByteString.CopyFrom(bytes, 0, i + 1);
            }
        }

        return ByteString.CopyFrom(0);
    }

    internal static ResponseHeader ToHeader(Etcdserverpb.ResponseHeader? header) =>
        header is null ? new ResponseHeader(0, MemberId.None, 0, 0) : new ResponseHeader(header.ClusterId, header.MemberId, header.Revision, header.RaftTerm);

    private static IReadOnlyList<EtcdAlarm> ToAlarms(AlarmResponse response) =>
        response.Alarms.Count == 0 ? [] : [.. response.Alarms.Select(a => new EtcdAlarm(a.MemberID, (EtcdAlarmType)a.Alarm))];

    private static EtcdMember ToMember(Member member) =>
        new(member.ID, member.Name, [.. member.PeerURLs], [.. member.ClientURLs], member.IsLearner);

    private static IReadOnlyList<EtcdMember> ToMembers(IEnumerable<Member> members) => [.. members.Select(ToMember)];
}
