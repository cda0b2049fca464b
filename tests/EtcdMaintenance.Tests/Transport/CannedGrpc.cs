using System.Buffers.Binary;
using System.Net;
using System.Net.Http.Headers;

namespace EtcdMaintenance.Tests.Transport;

/// <summary>Canned gRPC answers for an in-memory <see cref="HttpMessageHandler"/>: the client's channels run over it, no socket is opened.</summary>
internal static class CannedGrpc
{
    /// <summary>gRPC's length-prefixed message: flag 0 (not compressed), 4-byte big-endian length, the protobuf bytes.</summary>
    public static byte[] Frame(ReadOnlySpan<byte> message)
    {
        var frame = new byte[5 + message.Length];
        BinaryPrimitives.WriteInt32BigEndian(frame.AsSpan(1), message.Length);
        message.CopyTo(frame.AsSpan(5));
        return frame;
    }

    /// <summary>An OK answer carrying <paramref name="message"/>'s bytes, or a trailers-only error.</summary>
    public static HttpResponseMessage Answer(ReadOnlySpan<byte> message) => Answer(Frame(message), 0, null);

    public static HttpResponseMessage Error(int status, string message)
    {
        var response = Answer([], null, null);
        response.Headers.TryAddWithoutValidation("grpc-status", status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        response.Headers.TryAddWithoutValidation("grpc-message", message);
        return response;
    }

    private static HttpResponseMessage Answer(byte[] body, int? status, string? message)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(body), Version = HttpVersion.Version20 };
        response.Content.Headers.ContentType = new MediaTypeHeaderValue("application/grpc");
        if (status is { } code)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-status", code.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        if (message is not null)
        {
            response.TrailingHeaders.TryAddWithoutValidation("grpc-message", message);
        }

        return response;
    }

    /// <summary>Answers each request with <paramref name="answer"/>, given its path (e.g. <c>/etcdserverpb.Auth/Authenticate</c>), its token header and its body.</summary>
    public sealed class Handler(Func<string, string?, byte[], HttpResponseMessage> answer) : HttpMessageHandler
    {
        public List<string> Paths { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = await request.Content!.ReadAsByteArrayAsync(cancellationToken);
            var path = request.RequestUri!.AbsolutePath;
            lock (Paths)
            {
                Paths.Add(path);
            }

            var token = request.Headers.TryGetValues("token", out var values) ? string.Join(",", values) : null;
            return answer(path, token, body.Length >= 5 ? body[5..] : []);
        }
    }
}
