using System.Runtime.CompilerServices;
using Etcdserverpb;
using Grpc.Core;
using Grpc.Core.Interceptors;
using Grpc.Net.Client;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Transport;

/// <summary>Starts one unary call on an endpoint's channel, e.g. <c>(c, r, o) =&gt; c.Maintenance.DefragmentAsync(r, o)</c>.</summary>
internal delegate AsyncUnaryCall<TResponse> UnaryCall<in TRequest, TResponse>(EtcdChannel channel, TRequest request, CallOptions options);

/// <summary>Starts one server-streaming call on an endpoint's channel.</summary>
internal delegate AsyncServerStreamingCall<TResponse> StreamingCall<in TRequest, TResponse>(EtcdChannel channel, TRequest request, CallOptions options);

/// <summary>
/// etcd's gRPC API through Grpc.Net.Client: one <see cref="EtcdChannel"/> per member endpoint (maintenance RPCs answer
/// for the member called, so no balancer picks one), created on first use and kept until disposed. Every failure but
/// the caller's own cancellation comes out as an <see cref="EtcdException"/> built by <see cref="RpcErrors"/>; nothing
/// is retried here.
/// </summary>
internal sealed class GrpcTransport : IDisposable
{
    /// <summary>The longest delay a timer takes (about 49 days); longer timeouts are left to Grpc.Net.Client's deadline.</summary>
    private static readonly TimeSpan MaxTimerDelay = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly Dictionary<EtcdEndpoint, EtcdChannel> _channels = [];
    private readonly Func<EtcdEndpoint, HttpMessageHandler> _handlerFactory;
    private readonly Interceptor[] _interceptors;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private bool _disposed;

    /// <param name="handlerFactory">The HTTP handler of each endpoint's channel (TLS, keepalive); the channel disposes it.</param>
    /// <param name="interceptors">gRPC interceptors around every call, the first one outermost.</param>
    /// <param name="timeProvider">The clock of call deadlines (besides Grpc.Net.Client's own) and of the snapshot's idle timeout.</param>
    /// <param name="logger">Where failed calls are logged.</param>
    public GrpcTransport(Func<EtcdEndpoint, HttpMessageHandler> handlerFactory, IReadOnlyList<Interceptor> interceptors, TimeProvider timeProvider, ILogger logger)
    {
        _handlerFactory = handlerFactory;
        _interceptors = [.. interceptors];
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// One unary call with a deadline <paramref name="timeout"/> from now. Grpc.Net.Client sends it as <c>grpc-timeout</c>
    /// and enforces it on the system clock (its deadlines are UTC <see cref="DateTime"/>s); with another
    /// <see cref="TimeProvider"/> injected, a cancellation on that clock enforces it as well, so the injected clock alone
    /// can end a call at its deadline. Await the result once (every caller awaits it straight away): its state machine
    /// comes from the runtime's pool instead of being allocated per call.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TResponse> UnaryAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, EtcdRpc rpc, UnaryCall<TRequest, TResponse> call, TRequest request, TimeSpan timeout, string? token, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartCall(endpoint, rpc);
        using var deadline = DeadlineOnInjectedClock(timeout);
        using var linked = deadline is not null && cancellationToken.CanBeCanceled ? CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token) : null;
        var callToken = linked?.Token ?? deadline?.Token ?? cancellationToken;
        EtcdChannel? channel = null;
        try
        {
            channel = Channel(endpoint);
            using var pending = call(channel, request, new CallOptions(Headers(token), Deadline(timeout), callToken));
            var response = await pending.ResponseAsync.ConfigureAwait(false);
            channel.HasAnswered = true;
            Telemetry.Complete(activity, null);
            return response;
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            Telemetry.Complete(activity, ex);
            throw new OperationCanceledException(ex.Status.Detail, ex, cancellationToken);
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && deadline is { IsCancellationRequested: true })
        {
            throw Failed(endpoint, rpc, activity, RpcErrors.DeadlineExceeded(endpoint.Text, rpc.Name, timeout, ex));
        }
        catch (RpcException ex)
        {
            throw Failed(endpoint, rpc, activity, RpcErrors.FromRpc(endpoint.Text, rpc.Name, ex, timeout, channel?.HasAnswered ?? false));
        }
        catch (Exception ex) when (activity is not null)
        {
            Telemetry.Complete(activity, ex);
            throw;
        }
    }

    /// <summary>
    /// A server-streaming call with no overall deadline: it fails when no message arrives for <paramref name="idleTimeout"/>
    /// (on the injected clock), so a large snapshot may take as long as it needs while a stalled one does not hang.
    /// </summary>
    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, EtcdRpc rpc, StreamingCall<TRequest, TResponse> call, TRequest request, TimeSpan idleTimeout, string? token,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartCall(endpoint, rpc);
        using var idle = new CancellationTokenSource(Timeout.InfiniteTimeSpan, _timeProvider);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), idle);
        var channel = Channel(endpoint);
        using var pending = Start(channel, activity, call, request, token, idle.Token);
        while (await MoveNextAsync(endpoint, rpc, channel, activity, pending.ResponseStream, idle, idleTimeout, cancellationToken).ConfigureAwait(false))
        {
            channel.HasAnswered = true;
            yield return pending.ResponseStream.Current;
        }

        Telemetry.Complete(activity, null);
    }

    public void Dispose()
    {
        EtcdChannel[] channels;
        lock (_channels)
        {
            _disposed = true;
            channels = [.. _channels.Values];
            _channels.Clear();
        }

        foreach (var channel in channels)
        {
            channel.Dispose();
        }
    }

    /// <summary>The endpoint's channel, created on first use.</summary>
    internal EtcdChannel Channel(EtcdEndpoint endpoint)
    {
        lock (_channels)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_channels.TryGetValue(endpoint, out var channel))
            {
                channel = new EtcdChannel(endpoint, _handlerFactory(endpoint), _interceptors);
                _channels.Add(endpoint, channel);
            }

            return channel;
        }
    }

    private static Metadata? Headers(string? token) => token is null ? null : new Metadata { { "token", token } };

    /// <summary>
    /// With an injected clock other than the system's, a source cancelled <paramref name="timeout"/> from now on that clock.
    /// On the system clock Grpc.Net.Client's own deadline is the same timer, so nothing more is allocated on the status
    /// hot path.
    /// </summary>
    private CancellationTokenSource? DeadlineOnInjectedClock(TimeSpan timeout) =>
        ReferenceEquals(_timeProvider, TimeProvider.System) || timeout >= MaxTimerDelay ? null : new CancellationTokenSource(timeout, _timeProvider);

    private static DateTime Deadline(TimeSpan timeout)
    {
        var now = DateTime.UtcNow;
        return timeout >= DateTime.MaxValue - now ? DateTime.MaxValue : now + timeout;
    }

    private static AsyncServerStreamingCall<TResponse> Start<TRequest, TResponse>(
        EtcdChannel channel, System.Diagnostics.Activity? activity, StreamingCall<TRequest, TResponse> call, TRequest request, string? token, CancellationToken idleToken)
    {
        try
        {
            return call(channel, request, new CallOptions(Headers(token), cancellationToken: idleToken));
        }
        catch (Exception ex)
        {
            Telemetry.Complete(activity, ex);
            throw;
        }
    }

    private EtcdException Failed(EtcdEndpoint endpoint, EtcdRpc rpc, System.Diagnostics.Activity? activity, EtcdException error)
    {
        Log.CallFailed(_logger, rpc.Name, endpoint.Text, error.ErrorCode, error.StatusCode);
        Telemetry.Complete(activity, error);
        return error;
    }

    private async ValueTask<bool> MoveNextAsync<TResponse>(
        EtcdEndpoint endpoint, EtcdRpc rpc, EtcdChannel channel, System.Diagnostics.Activity? activity, IAsyncStreamReader<TResponse> stream,
        CancellationTokenSource idle, TimeSpan idleTimeout, CancellationToken cancellationToken)
    {
        try
        {
            idle.CancelAfter(idleTimeout);
            return await stream.MoveNext(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex) when (idle.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            throw Failed(endpoint, rpc, activity, RpcErrors.Stalled(endpoint.Text, rpc.Name, idleTimeout, ex));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            Telemetry.Complete(activity, ex);
            throw new OperationCanceledException(ex.Status.Detail, ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw Failed(endpoint, rpc, activity, RpcErrors.FromRpc(endpoint.Text, rpc.Name, ex, idleTimeout, channel.HasAnswered));
        }
        catch (Exception ex)
        {
            Telemetry.Complete(activity, ex);
            throw;
        }
    }
}

/// <summary>
/// One member endpoint's <see cref="GrpcChannel"/> and etcd's generated service clients over it. The channel owns
/// its HTTP handler: one HTTP/2 connection to the member, with TLS and keepalive pings as the handler sets them.
/// </summary>
internal sealed class EtcdChannel : IDisposable
{
    /// <summary>
    /// The largest answer accepted: etcd sends up to math.MaxInt32 bytes (its default <c>--max-recv-bytes</c> on the
    /// client side), where Grpc.Net.Client's 4 MB default would cut a large member list or range.
    /// </summary>
    internal const int MaxReceiveMessageSize = int.MaxValue;

    private readonly GrpcChannel _channel;
    private bool _hasAnswered;

    public EtcdChannel(EtcdEndpoint endpoint, HttpMessageHandler handler, Interceptor[] interceptors)
    {
        _channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions
        {
            // An HttpClient rather than the handler: with a handler Grpc.Net.Client puts its load balancer's handler in
            // front of it, which picks a subchannel (and, for a SocketsHttpHandler, routes its connections) on every
            // call; a channel here has exactly one address, so connection handling stays with the handler itself.
            // No HttpClient timeout: deadlines are per call (and a snapshot has none). About 135 B less allocated per
            // status call than the handler behind the balancer (7,478 -> 7,343 B over 60,000 calls on one member).
            HttpClient = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan },
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveMessageSize,
        });
        // Intercept puts the first interceptor outermost; without any, the channel's own invoker (nothing in between).
        var invoker = Invoker = interceptors.Length == 0 ? _channel.CreateCallInvoker() : _channel.Intercept(interceptors);
        Maintenance = new Maintenance.MaintenanceClient(invoker);
        Cluster = new Cluster.ClusterClient(invoker);
        KV = new KV.KVClient(invoker);
        Auth = new Auth.AuthClient(invoker);
    }

    /// <summary>The channel's call invoker, for calls with their own <see cref="Method{TRequest, TResponse}"/>.</summary>
    public CallInvoker Invoker { get; }

    public Maintenance.MaintenanceClient Maintenance { get; }

    public Cluster.ClusterClient Cluster { get; }

    public KV.KVClient KV { get; }

    public Auth.AuthClient Auth { get; }

    /// <summary>
    /// Whether etcd has answered a call on this channel: an HTTP/2 protocol failure after that is a broken connection
    /// (an unanswered keepalive ping, a reset), before it a server that does not speak gRPC over HTTP/2.
    /// </summary>
    public bool HasAnswered
    {
        get => Volatile.Read(ref _hasAnswered);
        set => Volatile.Write(ref _hasAnswered, value);
    }

    public void Dispose() => _channel.Dispose();
}
