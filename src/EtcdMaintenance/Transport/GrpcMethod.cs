using Google.Protobuf;

namespace EtcdMaintenance.Transport;

/// <summary>One etcd RPC: its HTTP/2 path, the name used in errors and logs, and how to parse its answer.</summary>
internal sealed class GrpcMethod<TRequest, TResponse>
    where TRequest : IMessage<TRequest>
    where TResponse : IMessage<TResponse>
{
    public GrpcMethod(string service, string method, MessageParser<TResponse> parser)
    {
        Name = $"{service}.{method}";
        Path = $"/etcdserverpb.{service}/{method}";
        Service = $"etcdserverpb.{service}";
        Method = method;
        ActivityName = Path[1..];
        Parser = parser;
    }

    /// <summary>Service and method, e.g. <c>Maintenance.Status</c>.</summary>
    public string Name { get; }

    /// <summary>The request path, e.g. <c>/etcdserverpb.Maintenance/Status</c>.</summary>
    public string Path { get; }

    /// <summary>The gRPC service, e.g. <c>etcdserverpb.Maintenance</c> (the <c>rpc.service</c> trace tag).</summary>
    public string Service { get; }

    /// <summary>The gRPC method, e.g. <c>Status</c> (the <c>rpc.method</c> trace tag).</summary>
    public string Method { get; }

    /// <summary>The trace activity's name: the path without its leading slash, as OpenTelemetry names RPC spans.</summary>
    public string ActivityName { get; }

    public MessageParser<TResponse> Parser { get; }

    public override string ToString() => Name;
}

/// <summary>
/// Turns one response message's bytes straight into the caller's result, skipping the generated message type (the
/// status hot path). Throws <see cref="InvalidDataException"/> for bytes that are not a valid message.
/// </summary>
internal delegate TResult MessageDecoder<in TState, out TResult>(ReadOnlySpan<byte> message, TState state);

/// <summary>Per-call settings: the deadline and the etcd auth token, if any.</summary>
internal readonly record struct GrpcCallOptions(TimeSpan Timeout, string? AuthToken = null);

/// <summary>
/// The narrow seam between the client and the wire: unary and server-streaming gRPC calls to one endpoint.
/// Implementations throw <see cref="EtcdException"/> (built by <see cref="EtcdErrors"/>) for every failure except
/// the caller's own cancellation, which surfaces as <see cref="OperationCanceledException"/>.
/// </summary>
internal interface IGrpcTransport : IDisposable, IAsyncDisposable
{
    Task<TResponse> UnaryAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>;

    /// <summary>A unary call whose answer is decoded by <paramref name="decoder"/> instead of the method's parser.</summary>
    Task<TResult> UnaryAsync<TRequest, TResponse, TState, TResult>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options,
        MessageDecoder<TState, TResult> decoder, TState state, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>;

    IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>;
}
