using Grpc.Core;
using Grpc.Net.Client;

namespace EtcdMaintenance.Benchmarks;

/// <summary>
/// The floor under the client inside Grpc.Net.Client: the same Status call straight through a <see cref="GrpcChannel"/>
/// built as the client builds its channels (over an <see cref="HttpClient"/> with no timeout) and with the same kind of
/// deadline, the answer's bytes not decoded. What the client allocates above this is its own (the decoded
/// <see cref="EndpointStatus"/>, its decoder and the public <see cref="Task"/>).
/// </summary>
internal sealed class GrpcFloor : IDisposable
{
    private static readonly Method<string, string> s_status = new(MethodType.Unary, "etcdserverpb.Maintenance", "Status",
        Marshallers.Create<string>(static (_, context) => context.Complete([]), static _ => string.Empty),
        Marshallers.Create<string>(static (_, _) => throw new NotSupportedException("An answer is never sent."), static _ => string.Empty));

    private readonly GrpcChannel _channel;
    private readonly CallInvoker _invoker;

    public GrpcFloor(string clientUrl)
    {
        _channel = GrpcChannel.ForAddress(clientUrl, new GrpcChannelOptions
        {
            HttpClient = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = Timeout.InfiniteTimeSpan },
            DisposeHttpClient = true,
        });
        _invoker = _channel.CreateCallInvoker();
    }

    public async Task StatusAsync()
    {
        using var call = _invoker.AsyncUnaryCall(s_status, null, new CallOptions(deadline: DateTime.UtcNow.AddSeconds(5)), string.Empty);
        await call.ResponseAsync.ConfigureAwait(false);
    }

    public void Dispose() => _channel.Dispose();
}
