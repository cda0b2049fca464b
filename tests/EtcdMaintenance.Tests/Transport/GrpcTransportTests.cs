using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using EtcdMaintenance.Tests.Infrastructure;
using EtcdMaintenance.Transport;
using Etcdserverpb;
using Google.Protobuf;

namespace EtcdMaintenance.Tests.Transport;

/// <summary>
/// The transport over Grpc.Net.Client against canned HTTP/2 answers from an in-memory handler (no socket is opened): how
/// requests look on the wire, and how every kind of failure becomes a typed <see cref="EtcdException"/>.
/// </summary>
public sealed class GrpcTransportTests
{
    private static readonly EtcdEndpoint s_endpoint = EtcdEndpoint.Parse("http://10.9.9.9:2379");
    private static readonly UnaryCall<StatusRequest, StatusResponse> s_status = static (c, r, o) => c.Maintenance.StatusAsync(r, o);

    private sealed class CannedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        public List<HttpRequestMessage> Requests { get; } = [];

        public byte[]? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Requests.Add(request);
            Body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            return await answer(request, cancellationToken);
        }
    }

    private static HttpResponseMessage Grpc(byte[] body, int? trailerStatus = 0, string? trailerMessage = null, string contentType = "application/grpc") =>
        Grpc(new ByteArrayContent(body), trailerStatus, trailerMessage, contentType);

    private static HttpResponseMessage Grpc(HttpContent content, int? trailerStatus = 0, string? trailerMessage = null, string contentType = "application/grpc")
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = content, Version = HttpVersion.Version20 };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (trailerStatus is { } status)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (trailerMessage is not null)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-message", trailerMessage);
        }

        return response;
    }

    private static byte[] Frame(IMessage message) => CannedGrpc.Frame(message.ToByteArray());

    private static GrpcTransport Transport(HttpMessageHandler handler, TimeProvider? time = null) =>
        new(_ => handler, [], time ?? TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);

    private static Task<StatusResponse> StatusAsync(GrpcTransport transport, TimeSpan? timeout = null, string? token = null, CancellationToken cancellationToken = default) =>
        transport.UnaryAsync(s_endpoint, EtcdRpc.Status, s_status, new StatusRequest(), timeout ?? TimeSpan.FromSeconds(5), token, cancellationToken).AsTask();

    [Fact]
    public async Task Unary_SendsAGrpcPostWithDeadlineAndToken_AndParsesTheAnswer()
    {
        var answer = new StatusResponse { Version = "3.4.23", DbSize = 20480, Header = new Etcdserverpb.ResponseHeader { MemberId = ulong.MaxValue } };
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(answer))));
        using var transport = Transport(handler);

        var result = await StatusAsync(transport, TimeSpan.FromSeconds(5), "tok-123");

        Assert.Equal(answer, result);
        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("http://10.9.9.9:2379/etcdserverpb.Maintenance/Status"), request.RequestUri);
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal("application/grpc", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("tok-123", string.Join(",", request.Headers.GetValues("token")));
        // The deadline travels as grpc-timeout: at most the 5 s asked for, in a unit etcd understands.
        var grpcTimeout = string.Join(",", request.Headers.GetValues("grpc-timeout"));
        Assert.Matches("^[0-9]+[HMSmun]$", grpcTimeout);
        Assert.Equal([0, 0, 0, 0, 0], handler.Body);
    }

    [Fact]
    public async Task Unary_WithoutAToken_SendsNoTokenHeader()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(new StatusResponse()))));
        using var transport = Transport(handler);

        await StatusAsync(transport);

        Assert.False(Assert.Single(handler.Requests).Headers.Contains("token"));
    }

    [Fact]
    public async Task ARequestMessage_IsFramedWholeInTheBody()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(new HashKVResponse()))));
        using var transport = Transport(handler);

        await transport.UnaryAsync(s_endpoint, EtcdRpc.HashKv, static (c, r, o) => c.Maintenance.HashKVAsync(r, o), new HashKVRequest { Revision = 300 }, TimeSpan.FromSeconds(5), null, default);

        Assert.Equal(Frame(new HashKVRequest { Revision = 300 }), handler.Body);
        Assert.Equal(new Uri("http://10.9.9.9:2379/etcdserverpb.Maintenance/HashKV"), Assert.Single(handler.Requests).RequestUri);
    }

    [Fact]
    public async Task TrailersOnlyError_BecomesTheTypedErrorNamingEndpointAndOperation()
    {
        var handler = new CannedHandler((_, _) =>
        {
            var response = Grpc([], trailerStatus: null);
            response.Headers.TryAddWithoutValidation("grpc-status", "8");
            response.Headers.TryAddWithoutValidation("grpc-message", "etcdserver: mvcc: database space exceeded");
            return Task.FromResult(response);
        });
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdNoSpaceException>(() => StatusAsync(transport));

        Assert.Equal("http://10.9.9.9:2379", error.Endpoint);
        Assert.Equal("Maintenance.Status", error.Operation);
        Assert.Equal("etcdserver: mvcc: database space exceeded", error.ServerMessage);
    }

    [Fact]
    public async Task ErrorInTrailers_IsPercentDecoded_AndClassified()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc([], 5, "etcdserver:%20member%20not%20found")));
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdMemberNotFoundException>(() => StatusAsync(transport));

        Assert.Equal("etcdserver: member not found", error.ServerMessage);
        Assert.False(error.IsTransient);
    }

    [Theory]
    [InlineData("text/html", 0, "content-type")]
    [InlineData("application/grpc", null, "grpc-status")]
    public async Task AnswersThatAreNotGrpc_AreProtocolErrors(string contentType, int? trailerStatus, string expected)
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(new StatusResponse()), trailerStatus, contentType: contentType)));
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() => StatusAsync(transport));

        Assert.Equal(EtcdErrorCode.ProtocolError, error.ErrorCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.Contains("10.9.9.9", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }

    [Fact]
    public async Task Http404_IsReportedAsUnimplemented_WithAHint()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound) { Version = HttpVersion.Version20 }));
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() => StatusAsync(transport));

        Assert.Equal(EtcdStatusCode.Unimplemented, error.StatusCode);
        Assert.Equal(EtcdErrorCode.ProtocolError, error.ErrorCode);
        Assert.Contains("client URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedMessage_IsAnError_NotAHang()
    {
        var frame = Frame(new StatusResponse { Version = "3.4.23" });
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(frame[..^2])));
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAnyAsync<EtcdException>(() => StatusAsync(transport));

        Assert.Contains("10.9.9.9", error.Message, StringComparison.Ordinal);
        Assert.Equal("Maintenance.Status", error.Operation);
    }

    [Fact]
    public async Task ConnectionRefused_IsTransientUnavailable_KeepingTheHttpErrorForFailover()
    {
        var handler = new CannedHandler((_, _) => throw new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (10.9.9.9:2379)",
            new SocketException((int)SocketError.ConnectionRefused)));
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => StatusAsync(transport));

        Assert.Equal(EtcdErrorCode.EndpointUnavailable, error.ErrorCode);
        Assert.True(error.IsTransient);
        Assert.Contains("refused", error.Message, StringComparison.Ordinal);
        Assert.Equal(HttpRequestError.ConnectionError, Assert.IsType<HttpRequestException>(error.InnerException).HttpRequestError);
    }

    [Fact]
    public async Task AnHttp2ProtocolError_IsAProtocolErrorBeforeTheEndpointAnswered_AndABrokenConnectionAfter()
    {
        // SocketsHttpHandler reports an HTTP/1.1 server's answer to the HTTP/2 preface and an unanswered keepalive ping alike.
        var calls = 0;
        var handler = new CannedHandler((_, _) => Interlocked.Increment(ref calls) == 2
            ? Task.FromResult(Grpc(Frame(new StatusResponse())))
            : throw new HttpRequestException(HttpRequestError.HttpProtocolError, "The HTTP/2 server sent invalid data on the connection.",
                new HttpProtocolException(1, "The HTTP/2 server sent invalid data on the connection.", null)));
        using var transport = Transport(handler);

        var before = await Assert.ThrowsAsync<EtcdException>(() => StatusAsync(transport));
        await StatusAsync(transport);
        var after = await Assert.ThrowsAsync<EtcdUnavailableException>(() => StatusAsync(transport));

        Assert.Equal(EtcdErrorCode.ProtocolError, before.ErrorCode);
        Assert.False(before.IsTransient);
        Assert.Contains("client URL", before.Message, StringComparison.Ordinal);
        Assert.Equal(EtcdErrorCode.EndpointUnavailable, after.ErrorCode);
        Assert.True(after.IsTransient);
        Assert.Contains("10.9.9.9", after.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_FailsTheCall_NamingEndpointAndTimeout()
    {
        var handler = new CannedHandler(async (_, ct) =>
        {
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => StatusAsync(transport, TimeSpan.FromMilliseconds(200)));

        Assert.Equal(EtcdErrorCode.DeadlineExceeded, error.ErrorCode);
        Assert.Equal(EtcdStatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Contains("200 ms", error.Message, StringComparison.Ordinal);
        Assert.Contains("10.9.9.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_SurfacesAsOperationCanceled()
    {
        var entered = new TaskCompletionSource();
        var handler = new CannedHandler(async (_, ct) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        using var transport = Transport(handler);
        using var cts = new CancellationTokenSource();

        var call = StatusAsync(transport, TimeSpan.FromSeconds(30), cancellationToken: cts.Token);
        await entered.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task AnAnswerLargerThanGrpcsDefaultLimit_IsAccepted()
    {
        // Grpc.Net.Client refuses answers over 4 MB by default; etcd sends up to math.MaxInt32 bytes.
        var large = new RangeResponse();
        large.Kvs.Add(new Mvccpb.KeyValue { Key = ByteString.CopyFromUtf8("k"), Value = ByteString.CopyFrom(new byte[5 << 20]) });
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(large))));
        using var transport = Transport(handler);

        var response = await transport.UnaryAsync(s_endpoint, EtcdRpc.Range, static (c, r, o) => c.KV.RangeAsync(r, o), new RangeRequest(), TimeSpan.FromSeconds(5), null, default);

        Assert.Equal(5 << 20, Assert.Single(response.Kvs).Value.Length);
    }

    [Fact]
    public async Task ServerStreaming_YieldsEveryMessage_ThenChecksTheTrailers()
    {
        var body = Frame(new SnapshotResponse { Blob = ByteString.CopyFromUtf8("ab") }).Concat(Frame(new SnapshotResponse { Blob = ByteString.CopyFromUtf8("cd") })).ToArray();
        using var ok = Transport(new CannedHandler((_, _) => Task.FromResult(Grpc(body))));
        using var failing = Transport(new CannedHandler((_, _) => Task.FromResult(Grpc(body, 14, "etcdserver: server stopped"))));

        var chunks = new List<string>();
        await foreach (var chunk in Snapshot(ok, TimeSpan.FromSeconds(5)))
        {
            chunks.Add(chunk.Blob.ToStringUtf8());
        }

        Assert.Equal(["ab", "cd"], chunks);
        var error = await Assert.ThrowsAsync<EtcdException>(async () =>
        {
            await foreach (var _ in Snapshot(failing, TimeSpan.FromSeconds(5)))
            {
            }
        });
        Assert.Equal(EtcdErrorCode.ServerStopped, error.ErrorCode);
        Assert.Equal("Maintenance.Snapshot", error.Operation);
    }

    [Fact]
    public async Task ServerStreaming_ThatStalls_FailsAfterTheIdleTimeoutOnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var stalled = new StalledContent(Frame(new SnapshotResponse { Blob = ByteString.CopyFromUtf8("ab") }));
        using var transport = Transport(new CannedHandler((_, _) => Task.FromResult(Grpc(stalled, trailerStatus: null))), time);

        await using var chunks = Snapshot(transport, TimeSpan.FromSeconds(30)).GetAsyncEnumerator();
        Assert.True(await chunks.MoveNextAsync());
        Assert.Equal("ab", chunks.Current.Blob.ToStringUtf8());

        // The next chunk never comes. Just short of the idle timeout nothing happens; at it, the call fails.
        var next = chunks.MoveNextAsync().AsTask();
        await stalled.Waiting.Task;
        time.Advance(TimeSpan.FromSeconds(29));
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => next);
        Assert.Equal(EtcdErrorCode.DeadlineExceeded, error.ErrorCode);
        Assert.Equal("Maintenance.Snapshot", error.Operation);
        Assert.Contains("no data for 30 s", error.Message, StringComparison.Ordinal);
        Assert.Contains("10.9.9.9", error.Message, StringComparison.Ordinal);
    }

    private static IAsyncEnumerable<SnapshotResponse> Snapshot(GrpcTransport transport, TimeSpan idleTimeout) =>
        transport.ServerStreamingAsync(s_endpoint, EtcdRpc.Snapshot, static (c, r, o) => c.Maintenance.Snapshot(r, o), new SnapshotRequest(), idleTimeout, null, default);

    /// <summary>A body that sends its first bytes, then nothing until the reader gives up.</summary>
    private sealed class StalledContent(byte[] first) : HttpContent
    {
        public TaskCompletionSource Waiting { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult<Stream>(new StalledStream(first, Waiting));

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => throw new NotSupportedException();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class StalledStream(byte[] first, TaskCompletionSource waiting) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < first.Length)
            {
                var n = Math.Min(buffer.Length, first.Length - _position);
                first.AsMemory(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            waiting.TrySetResult();
            await Task.Delay(Timeout.Infinite, cancellationToken);
            return 0;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
