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
        Parser = parser;
    }

    /// <summary>Service and method, e.g. <c>Maintenance.Status</c>.</summary>
    public string Name { get; }

    /// <summary>The request path, e.g. <c>/etcdserverpb.Maintenance/Status</c>.</summary>
    public string Path { get; }

    public MessageParser<TResponse> Parser { get; }

    public override string ToString() => Name;
}

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

    IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>;
}
