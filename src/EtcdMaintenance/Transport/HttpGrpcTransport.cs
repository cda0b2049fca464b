using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;

namespace EtcdMaintenance.Transport;

/// <summary>
/// gRPC over <see cref="HttpMessageInvoker"/> and <see cref="SocketsHttpHandler"/>: HTTP/2 with prior knowledge (h2c)
/// for <c>http://</c> endpoints, ALPN h2 for <c>https://</c>, one pooled connection per endpoint.
/// </summary>
internal sealed class HttpGrpcTransport : IGrpcTransport
{
    /// <summary>The first buffer a unary answer is read into; a status answer is about 100 bytes.</summary>
    private const int UnaryBufferSize = 1024;

    private static readonly MediaTypeHeaderValue s_grpcContentType = new("application/grpc");

    private readonly ConcurrentDictionary<EtcdEndpoint, Channel> _channels = new();
    private readonly Func<EtcdEndpoint, HttpMessageHandler> _handlerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly DeadlinePool? _deadlines;
    private int _disposed;

    public HttpGrpcTransport(Func<EtcdEndpoint, HttpMessageHandler> handlerFactory, TimeProvider timeProvider)
    {
        _handlerFactory = handlerFactory;
        _timeProvider = timeProvider;
        _deadlines = timeProvider == TimeProvider.System ? new DeadlinePool() : null;
    }

    public Task<TResponse> UnaryAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse> =>
        UnaryAsync(endpoint, method, request, options, static (message, parser) => parser.ParseFrom(message), method.Parser, cancellationToken);

    public async Task<TResult> UnaryAsync<TRequest, TResponse, TState, TResult>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options,
        MessageDecoder<TState, TResult> decoder, TState state, CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        using var activity = Telemetry.StartCall(endpoint, method.ActivityName, method.Service, method.Method);
        using var deadline = StartDeadline(options.Timeout, cancellationToken);
        HttpResponseMessage? response = null;
        byte[]? buffer = null;
        try
        {
            response = await SendAsync(endpoint, method.Name, method.Path, request, options, deadline.Token).ConfigureAwait(false);
            if (TrailersOnlyStatus(response) is { } immediate)
            {
                throw StatusError(endpoint, method.Name, immediate, response.Headers);
            }

            // A unary answer is one small message: read the whole body (to the end of the stream, which also brings
            // the trailers) into one pooled buffer, then check the status, then parse.
            var stream = response.Content.ReadAsStream(deadline.Token);
            buffer = ArrayPool<byte>.Shared.Rent(UnaryBufferSize);
            var length = 0;
            while (true)
            {
                if (length == buffer.Length)
                {
                    buffer = Grow(endpoint, method.Name, buffer, length);
                }

                var read = await stream.ReadAsync(buffer.AsMemory(length), deadline.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                length += read;
            }

            ThrowIfTrailerError(endpoint, method.Name, response);
            var result = decoder(SingleMessage(endpoint, method.Name, buffer.AsSpan(0, length)), state);
            Telemetry.Complete(activity, null);
            return result;
        }
        catch (Exception ex) when (Translate(ex, endpoint, method.Name, deadline, cancellationToken) is { } translated)
        {
            Telemetry.Complete(activity, translated);
            throw translated;
        }
        catch (Exception ex) when (activity is not null)
        {
            Telemetry.Complete(activity, ex);
            throw;
        }
        finally
        {
            if (buffer is not null)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            response?.Dispose();
        }
    }

    public async IAsyncEnumerable<TResponse> ServerStreamingAsync<TRequest, TResponse>(
        EtcdEndpoint endpoint, GrpcMethod<TRequest, TResponse> method, TRequest request, GrpcCallOptions options,
        [EnumeratorCancellation] CancellationToken cancellationToken)
        where TRequest : IMessage<TRequest>
        where TResponse : IMessage<TResponse>
    {
        using var activity = Telemetry.StartCall(endpoint, method.ActivityName, method.Service, method.Method);
        using var deadline = StartDeadline(options.Timeout, cancellationToken);
        HttpResponseMessage? response = null;
        FrameReader? reader = null;
        try
        {
            try
            {
                response = await SendAsync(endpoint, method.Name, method.Path, request, options, deadline.Token).ConfigureAwait(false);
                if (TrailersOnlyStatus(response) is { } immediate)
                {
                    throw StatusError(endpoint, method.Name, immediate, response.Headers);
                }

                reader = new FrameReader(await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false));
            }
            catch (Exception ex) when (Translate(ex, endpoint, method.Name, deadline, cancellationToken) is { } translated)
            {
                Telemetry.Complete(activity, translated);
                throw translated;
            }

            while (true)
            {
                TResponse? message;
                try
                {
                    message = await reader.ReadAsync(endpoint, method.Name, method.Parser, deadline.Token).ConfigureAwait(false);
                    if (message is null)
                    {
                        ThrowIfTrailerError(endpoint, method.Name, response);
                    }
                }
                catch (Exception ex) when (Translate(ex, endpoint, method.Name, deadline, cancellationToken) is { } translated)
                {
                    Telemetry.Complete(activity, translated);
                    throw translated;
                }

                if (message is null)
                {
                    Telemetry.Complete(activity, null);
                    yield break;
                }

                yield return message;
            }
        }
        finally
        {
            reader?.Dispose();
            response?.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            foreach (var channel in _channels.Values)
            {
                channel.Invoker.Dispose();
            }

            _channels.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private CallDeadline StartDeadline(TimeSpan timeout, CancellationToken cancellationToken) =>
        _deadlines?.Start(timeout, cancellationToken) ?? new CallDeadline(timeout, _timeProvider, cancellationToken);

    private static byte[] Grow(EtcdEndpoint endpoint, string operation, byte[] buffer, int length)
    {
        if (length >= GrpcFraming.HeaderSize + GrpcFraming.MaxMessageSize)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, $"the answer is larger than {GrpcFraming.MaxMessageSize} bytes");
        }

        var larger = ArrayPool<byte>.Shared.Rent(Math.Min(length * 2, GrpcFraming.HeaderSize + GrpcFraming.MaxMessageSize));
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    /// <summary>The bytes of the one framed message of a unary answer's body.</summary>
    private static ReadOnlySpan<byte> SingleMessage(EtcdEndpoint endpoint, string operation, ReadOnlySpan<byte> body)
    {
        if (body.IsEmpty)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, "the answer had status OK but no message");
        }

        if (body.Length < GrpcFraming.HeaderSize)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, "the answer ended inside a message header");
        }

        if (!GrpcFraming.TryReadHeader(body, out var compressed, out var length))
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, $"bad message header (flag {body[0]}, length {length})");
        }

        if (compressed)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, "the server sent a compressed message although none was negotiated");
        }

        var rest = body.Length - GrpcFraming.HeaderSize;
        if (rest < length)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, $"the answer ended inside a message ({rest} of {length} bytes)");
        }

        if (rest > length)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, rest - length < GrpcFraming.HeaderSize
                ? "the answer ended inside a message header"
                : "more than one message in a unary answer");
        }

        return body.Slice(GrpcFraming.HeaderSize, length);
    }

    private async Task<HttpResponseMessage> SendAsync(EtcdEndpoint endpoint, string operation, string path, IMessage request, GrpcCallOptions options, CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(_disposed != 0, this);
        var channel = _channels.GetOrAdd(endpoint, static (e, factory) => new Channel(e, new HttpMessageInvoker(factory(e), disposeHandler: true)), _handlerFactory);
        using var message = new HttpRequestMessage(HttpMethod.Post, channel.UriFor(path))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
            Content = new GrpcRequestContent(request),
        };
        message.Headers.TryAddWithoutValidation("te", "trailers");
        message.Headers.TryAddWithoutValidation("grpc-timeout", GrpcFraming.EncodeTimeoutCached(options.Timeout));
        if (options.AuthToken is not null)
        {
            message.Headers.TryAddWithoutValidation("token", options.AuthToken);
        }

        var response = await channel.Invoker.SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            var status = response.StatusCode;
            response.Dispose();
            throw EtcdErrors.FromStatus(endpoint.Text, operation, HttpStatusToGrpc(status), $"HTTP {(int)status} {status} (is this an etcd v3 client URL?)");
        }

        // The raw header text, not the parsed ContentType (which would allocate a parsed value on every call).
        var contentType = response.Content.Headers.NonValidated.TryGetValues("Content-Type", out var values) ? values.ToString() : null;
        if (contentType is null || !contentType.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase))
        {
            response.Dispose();
            throw EtcdErrors.Protocol(endpoint.Text, operation, $"content type '{contentType}' instead of application/grpc");
        }

        return response;
    }

    private static EtcdStatusCode? TrailersOnlyStatus(HttpResponseMessage response) =>
        ReadStatus(response.Headers) is { } status && status != EtcdStatusCode.OK ? status : null;

    private static void ThrowIfTrailerError(EtcdEndpoint endpoint, string operation, HttpResponseMessage response)
    {
        var headers = response.TrailingHeaders;
        var status = ReadStatus(headers) ?? ReadStatus(response.Headers);
        if (status is null)
        {
            throw EtcdErrors.Protocol(endpoint.Text, operation, "the answer ended without a grpc-status");
        }

        if (status != EtcdStatusCode.OK)
        {
            throw StatusError(endpoint, operation, status.Value, ReadStatus(headers) is null ? response.Headers : headers);
        }
    }

    private static EtcdStatusCode? ReadStatus(HttpHeaders headers) =>
        headers.NonValidated.TryGetValues("grpc-status", out var values) && int.TryParse(values.ToString(), out var code)
            ? (EtcdStatusCode)code
            : null;

    private static EtcdException StatusError(EtcdEndpoint endpoint, string operation, EtcdStatusCode status, HttpHeaders headers)
    {
        var text = headers.NonValidated.TryGetValues("grpc-message", out var values) ? GrpcFraming.DecodeMessage(values.ToString()) : null;
        return EtcdErrors.FromStatus(endpoint.Text, operation, status, text);
    }

    private static EtcdStatusCode HttpStatusToGrpc(HttpStatusCode status) => status switch
    {
        HttpStatusCode.BadRequest => EtcdStatusCode.Internal,
        HttpStatusCode.Unauthorized => EtcdStatusCode.Unauthenticated,
        HttpStatusCode.Forbidden => EtcdStatusCode.PermissionDenied,
        HttpStatusCode.NotFound => EtcdStatusCode.Unimplemented,
        HttpStatusCode.TooManyRequests or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout => EtcdStatusCode.Unavailable,
        _ => EtcdStatusCode.Unknown,
    };

    /// <summary>Maps a failure to the exception to throw, or <see langword="null"/> to let it through (caller cancellation, our own errors).</summary>
    private static Exception? Translate(Exception exception, EtcdEndpoint endpoint, string operation, CallDeadline deadline, CancellationToken cancellationToken)
    {
        if (exception is EtcdException || cancellationToken.IsCancellationRequested)
        {
            return null;
        }

        if (deadline.HasExpired)
        {
            return EtcdErrors.DeadlineExceeded(endpoint.Text, operation, deadline.Timeout, exception);
        }

        return exception switch
        {
            InvalidProtocolBufferException or InvalidDataException => EtcdErrors.Protocol(endpoint.Text, operation, exception.Message, exception),
            HttpRequestException or IOException or OperationCanceledException => EtcdErrors.FromTransport(endpoint.Text, operation, exception),
            _ => null,
        };
    }

    /// <summary>One endpoint's connection pool and its request URIs, built once per path.</summary>
    private sealed class Channel(EtcdEndpoint endpoint, HttpMessageInvoker invoker)
    {
        private readonly ConcurrentDictionary<string, Uri> _uris = new(StringComparer.Ordinal);

        public HttpMessageInvoker Invoker { get; } = invoker;

        public Uri UriFor(string path) => _uris.GetOrAdd(path, static (p, e) => new Uri(e.Address, p), endpoint);
    }

    /// <summary>
    /// The request body: one framed message. Small messages (every maintenance request) are framed once into an array
    /// of their exact size and written in one call, as <see cref="ByteArrayContent"/> does; an empty message (Status,
    /// Snapshot) uses one shared frame. Large ones (big puts) are framed into a pooled buffer while sending.
    /// </summary>
    private sealed class GrpcRequestContent : HttpContent
    {
        private const int InlineFrameLimit = 16 * 1024;

        private static readonly byte[] s_emptyFrame = new byte[GrpcFraming.HeaderSize];

        private readonly IMessage _message;
        private readonly byte[]? _frame;
        private readonly int _length;

        public GrpcRequestContent(IMessage message)
        {
            _message = message;
            var size = message.CalculateSize();
            _length = GrpcFraming.HeaderSize + size;
            if (size == 0)
            {
                _frame = s_emptyFrame;
            }
            else if (_length <= InlineFrameLimit)
            {
                _frame = new byte[_length];
                GrpcFraming.WriteFrame(message, _frame);
            }

            Headers.ContentType = s_grpcContentType;
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            _frame is not null ? stream.WriteAsync(_frame, 0, _length, cancellationToken) : WriteLargeAsync(stream, cancellationToken);

        protected override bool TryComputeLength(out long length)
        {
            length = _length;
            return true;
        }

        private async Task WriteLargeAsync(Stream stream, CancellationToken cancellationToken)
        {
            var buffer = ArrayPool<byte>.Shared.Rent(_length);
            try
            {
                GrpcFraming.WriteFrame(_message, buffer.AsSpan(0, _length));
                await stream.WriteAsync(buffer.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>Reads length-prefixed messages one by one from a streamed response body into a pooled buffer.</summary>
    private sealed class FrameReader(Stream stream) : IDisposable
    {
        private byte[] _buffer = ArrayPool<byte>.Shared.Rent(512);

        /// <summary>The next message, or <see langword="null"/> at the end of the body.</summary>
        public async ValueTask<T?> ReadAsync<T>(EtcdEndpoint endpoint, string operation, MessageParser<T> parser, CancellationToken cancellationToken)
            where T : IMessage<T>
        {
            var read = await stream.ReadAtLeastAsync(_buffer.AsMemory(0, GrpcFraming.HeaderSize), GrpcFraming.HeaderSize, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                return default;
            }

            if (read < GrpcFraming.HeaderSize)
            {
                throw EtcdErrors.Protocol(endpoint.Text, operation, "the answer ended inside a message header");
            }

            if (!GrpcFraming.TryReadHeader(_buffer, out var compressed, out var length))
            {
                throw EtcdErrors.Protocol(endpoint.Text, operation, $"bad message header (flag {_buffer[0]}, length {length})");
            }

            if (compressed)
            {
                throw EtcdErrors.Protocol(endpoint.Text, operation, "the server sent a compressed message although none was negotiated");
            }

            if (length > _buffer.Length)
            {
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(length);
            }

            await stream.ReadExactlyAsync(_buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
            return parser.ParseFrom(_buffer.AsSpan(0, length));
        }

        public void Dispose()
        {
            var buffer = Interlocked.Exchange(ref _buffer, []);
            if (buffer.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }

            stream.Dispose();
        }
    }
}
