using System.Runtime.CompilerServices;
using Etcdserverpb;
using Grpc.Core;
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
/// the caller's own cancellation comes out as an <see cref="EtcdException"/> built by <see cref="EtcdErrors"/>; nothing
/// is retried here.
/// </summary>
internal sealed class GrpcTransport : IDisposable
{
    private readonly Dictionary<EtcdEndpoint, EtcdChannel> _channels = [];
    private readonly Func<EtcdEndpoint, HttpMessageHandler> _handlerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private bool _disposed;

    /// <param name="handlerFactory">The HTTP handler of each endpoint's channel (TLS, keepalive); the channel disposes it.</param>
    /// <param name="timeProvider">The clock of the snapshot's idle timeout.</param>
    /// <param name="logger">Where failed calls are logged.</param>
    public GrpcTransport(Func<EtcdEndpoint, HttpMessageHandler> handlerFactory, TimeProvider timeProvider, ILogger logger)
    {
        _handlerFactory = handlerFactory;
        _timeProvider = timeProvider;
        _logger = logger;
    }

    /// <summary>
    /// One unary call with a deadline <paramref name="timeout"/> from now. Grpc.Net.Client's deadlines are UTC
    /// <see cref="DateTime"/>s on the system clock (it sends them as <c>grpc-timeout</c> and enforces them itself).
    /// </summary>
    public async Task<TResponse> UnaryAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, EtcdRpc rpc, UnaryCall<TRequest, TResponse> call, TRequest request, TimeSpan timeout, string? token, CancellationToken cancellationToken)
    {
        using var activity = Telemetry.StartCall(endpoint, rpc);
        EtcdChannel? channel = null;
        try
        {
            channel = Channel(endpoint);
            using var pending = call(channel, request, new CallOptions(Headers(token), Deadline(timeout), cancellationToken));
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
        catch (RpcException ex)
        {
            throw Failed(endpoint, rpc, activity, EtcdErrors.FromRpc(endpoint.Text, rpc.Name, ex, timeout, channel?.HasAnswered ?? false));
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
                channel = new EtcdChannel(endpoint, _handlerFactory(endpoint));
                _channels.Add(endpoint, channel);
            }

            return channel;
        }
    }

    private static Metadata? Headers(string? token) => token is null ? null : new Metadata { { "token", token } };

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
            throw Failed(endpoint, rpc, activity, EtcdErrors.Stalled(endpoint.Text, rpc.Name, idleTimeout, ex));
        }
        catch (RpcException ex) when (ex.StatusCode == StatusCode.Cancelled && cancellationToken.IsCancellationRequested)
        {
            Telemetry.Complete(activity, ex);
            throw new OperationCanceledException(ex.Status.Detail, ex, cancellationToken);
        }
        catch (RpcException ex)
        {
            throw Failed(endpoint, rpc, activity, EtcdErrors.FromRpc(endpoint.Text, rpc.Name, ex, idleTimeout, channel.HasAnswered));
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

    public EtcdChannel(EtcdEndpoint endpoint, HttpMessageHandler handler)
    {
        _channel = GrpcChannel.ForAddress(endpoint.Address, new GrpcChannelOptions
        {
            HttpHandler = new DirectHandler(handler),
            DisposeHttpClient = true,
            MaxReceiveMessageSize = MaxReceiveMessageSize,
        });
        var invoker = _channel.CreateCallInvoker();
        Maintenance = new Maintenance.MaintenanceClient(invoker);
        Cluster = new Cluster.ClusterClient(invoker);
        KV = new KV.KVClient(invoker);
        Auth = new Auth.AuthClient(invoker);
    }

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

/// <summary>
/// Hands requests to the endpoint's handler. When Grpc.Net.Client can see a <see cref="SocketsHttpHandler"/>, it routes
/// that handler's connections through its load balancer's subchannels (its <c>ConnectCallback</c>); a channel here has
/// exactly one address, so connection handling stays with <see cref="SocketsHttpHandler"/> itself behind this wrapper.
/// Measured with <c>benchmarks/ -- targets</c> together with one async frame less on the status path: about 350 B less
/// allocated per status call.
/// </summary>
internal sealed class DirectHandler(HttpMessageHandler inner) : HttpMessageHandler
{
    private readonly HttpMessageInvoker _inner = new(inner, disposeHandler: true);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        _inner.SendAsync(request, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
