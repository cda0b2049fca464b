using System.Net;
using System.Net.Http.Headers;
using EtcdMaintenance.Tests.Infrastructure;
using EtcdMaintenance.Transport;
using EtcdMaintenance.Wire;
using Google.Protobuf;

namespace EtcdMaintenance.Tests.Transport;

/// <summary>The transport's framing and status handling, against canned HTTP/2 answers (no socket is opened).</summary>
public sealed class HttpGrpcTransportTests
{
    private static readonly EtcdEndpoint s_endpoint = EtcdEndpoint.Parse("http://10.9.9.9:2379");
    private static readonly GrpcMethod<StatusRequest, StatusResponse> s_status = new("Maintenance", "Status", StatusResponse.Parser);

    private sealed class CannedHandler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        public HttpRequestMessage? Request { get; private set; }

        public byte[]? Body { get; private set; }

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Request = request;
            Body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            return await answer(request, cancellationToken);
        }
    }

    private static HttpResponseMessage Grpc(byte[] body, int? trailerStatus = 0, string? trailerMessage = null, string contentType = "application/grpc")
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), Version = HttpVersion.Version20 };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (trailerStatus is { } status)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-status", status.ToString());
        }

        if (trailerMessage is not null)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-message", trailerMessage);
        }

        return response;
    }

    private static byte[] Frame(IMessage message)
    {
        var buffer = new byte[GrpcFraming.HeaderSize + message.CalculateSize()];
        GrpcFraming.WriteFrame(message, buffer);
        return buffer;
    }

    private static HttpGrpcTransport Transport(CannedHandler handler, TimeProvider? time = null) =>
        new(_ => handler, time ?? TimeProvider.System);

    [Fact]
    public async Task Unary_SendsAFramedHttp2PostWithGrpcHeaders_AndParsesTheAnswer()
    {
        var answer = new StatusResponse { Version = "3.4.23", DbSize = 20480, Header = new Wire.ResponseHeader { MemberId = ulong.MaxValue } };
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(answer))));
        await using var transport = Transport(handler);

        var result = await transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5), "tok-123"), default);

        Assert.Equal(answer, result);
        var request = handler.Request!;
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal(new Uri("http://10.9.9.9:2379/etcdserverpb.Maintenance/Status"), request.RequestUri);
        Assert.Equal(HttpVersion.Version20, request.Version);
        Assert.Equal(HttpVersionPolicy.RequestVersionExact, request.VersionPolicy);
        Assert.Equal("application/grpc", request.Content!.Headers.ContentType!.MediaType);
        Assert.Equal("trailers", string.Join(",", request.Headers.GetValues("te")));
        Assert.Equal("5000000u", string.Join(",", request.Headers.GetValues("grpc-timeout")));
        Assert.Equal("tok-123", string.Join(",", request.Headers.GetValues("token")));
        Assert.Equal([0, 0, 0, 0, 0], handler.Body);
    }

    [Fact]
    public async Task TrailersOnlyError_BecomesTheTypedErrorWithTheDecodedMessage()
    {
        var handler = new CannedHandler((_, _) =>
        {
            var response = Grpc([], trailerStatus: null);
            response.Headers.TryAddWithoutValidation("grpc-status", "8");
            response.Headers.TryAddWithoutValidation("grpc-message", "etcdserver: mvcc: database space exceeded");
            return Task.FromResult(response);
        });
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdNoSpaceException>(() =>
            transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default));

        Assert.Equal("http://10.9.9.9:2379", error.Endpoint);
        Assert.Equal("Maintenance.Status", error.Operation);
    }

    [Fact]
    public async Task ErrorInTrailers_AfterAnEmptyBody_BecomesTheTypedError()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc([], 5, "etcdserver:%20member%20not%20found")));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdMemberNotFoundException>(() =>
            transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default));

        Assert.Equal("etcdserver: member not found", error.ServerMessage);
    }

    [Theory]
    [InlineData("text/html", "content type")]
    [InlineData("application/grpc", "grpc-status")]
    public async Task AnswersThatAreNotGrpc_AreProtocolErrors(string contentType, string expected)
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(new StatusResponse()), trailerStatus: null, contentType: contentType)));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() =>
            transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default));

        Assert.Equal(EtcdErrorCode.ProtocolError, error.ErrorCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TruncatedMessage_IsATransportError_NotAHang()
    {
        var frame = Frame(new StatusResponse { Version = "3.4.23" });
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(frame[..^2])));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAnyAsync<EtcdException>(() =>
            transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default));

        Assert.Contains("10.9.9.9", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Http404_IsReportedAsUnimplemented_WithAHint()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NotFound)));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() =>
            transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default));

        Assert.Equal(EtcdStatusCode.Unimplemented, error.StatusCode);
        Assert.Contains("client URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deadline_FiresOnTheInjectedClock_AndNamesEndpointAndTimeout()
    {
        var time = new ManualTimeProvider();
        var entered = new TaskCompletionSource();
        var handler = new CannedHandler(async (_, ct) =>
        {
            entered.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
            throw new InvalidOperationException("unreachable");
        });
        await using var transport = Transport(handler, time);

        var call = transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(3)), default);
        await entered.Task;
        time.Advance(TimeSpan.FromSeconds(3));

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => call);
        Assert.Equal(EtcdErrorCode.DeadlineExceeded, error.ErrorCode);
        Assert.Contains("3 s", error.Message, StringComparison.Ordinal);
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
        await using var transport = Transport(handler);
        using var cts = new CancellationTokenSource();

        var call = transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(30)), cts.Token);
        await entered.Task;
        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);
    }

    [Fact]
    public async Task ServerStreaming_YieldsEveryMessage_ThenChecksTheTrailers()
    {
        var body = Frame(new SnapshotResponse { Blob = ByteString.CopyFromUtf8("ab") }).Concat(Frame(new SnapshotResponse { Blob = ByteString.CopyFromUtf8("cd") })).ToArray();
        var snapshot = new GrpcMethod<SnapshotRequest, SnapshotResponse>("Maintenance", "Snapshot", SnapshotResponse.Parser);
        await using var ok = Transport(new CannedHandler((_, _) => Task.FromResult(Grpc(body))));
        await using var failing = Transport(new CannedHandler((_, _) => Task.FromResult(Grpc(body, 14, "etcdserver: server stopped"))));

        var chunks = new List<string>();
        await foreach (var chunk in ok.ServerStreamingAsync(s_endpoint, snapshot, new SnapshotRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default))
        {
            chunks.Add(chunk.Blob.ToStringUtf8());
        }

        Assert.Equal(["ab", "cd"], chunks);
        var error = await Assert.ThrowsAsync<EtcdException>(async () =>
        {
            await foreach (var _ in failing.ServerStreamingAsync(s_endpoint, snapshot, new SnapshotRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)), default))
            {
            }
        });
        Assert.Equal(EtcdErrorCode.ServerStopped, error.ErrorCode);
    }

    [Fact]
    public async Task Unary_WithADecoder_HandsItTheMessageBytes_AndItsState()
    {
        var answer = new StatusResponse { Version = "3.4.23", DbSize = 20480, Header = new Wire.ResponseHeader { MemberId = 42, Revision = 9 } };
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(answer), contentType: "application/grpc+proto")));
        await using var transport = Transport(handler);

        var status = await transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)),
            StatusDecoder.Decoder, (s_endpoint, (long?)4096), default);

        Assert.Equal(EtcdMaintenanceClient.ToStatus(s_endpoint, answer, 4096) with { Errors = [] }, status with { Errors = [] });
    }

    [Theory]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 }, "more than one message")]
    [InlineData(new byte[] { 0, 0, 0, 0, 0, 0, 0 }, "inside a message header")]
    [InlineData(new byte[] { 0, 0, 0 }, "inside a message header")]
    [InlineData(new byte[] { 1, 0, 0, 0, 0 }, "compressed")]
    [InlineData(new byte[] { 7, 0, 0, 0, 0 }, "bad message header")]
    [InlineData(new byte[] { 0, 0, 0, 0, 9, 1 }, "inside a message (1 of 9 bytes)")]
    [InlineData(new byte[] { 0, 0, 0, 0, 2, 0x18, 0x80 }, "varint is truncated")]
    public async Task MalformedUnaryBodies_AreProtocolErrors_NamingWhatIsWrong(byte[] body, string expected)
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(body)));
        await using var transport = Transport(handler);

        var error = await Assert.ThrowsAsync<EtcdException>(() =>
            transport.UnaryAsync(s_endpoint, s_status, new StatusRequest(), new GrpcCallOptions(TimeSpan.FromSeconds(5)),
                StatusDecoder.Decoder, (s_endpoint, (long?)null), default));

        Assert.Equal(EtcdErrorCode.ProtocolError, error.ErrorCode);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARequestMessage_IsFramedWholeInTheBody()
    {
        var handler = new CannedHandler((_, _) => Task.FromResult(Grpc(Frame(new HashKVResponse()))));
        await using var transport = Transport(handler);
        var hashKv = new GrpcMethod<HashKVRequest, HashKVResponse>("Maintenance", "HashKV", HashKVResponse.Parser);

        await transport.UnaryAsync(s_endpoint, hashKv, new HashKVRequest { Revision = 300 }, new GrpcCallOptions(TimeSpan.FromSeconds(5)), default);

        Assert.Equal(Frame(new HashKVRequest { Revision = 300 }), handler.Body);
        Assert.Equal("application/grpc", handler.Request!.Content!.Headers.ContentType!.MediaType);
    }
}
