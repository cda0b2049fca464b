using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace EtcdMaintenance.Transport;

/// <summary>
/// Turns failed Grpc.Net.Client calls and failures below gRPC (connect, DNS, TLS, broken connections, answers that are not
/// gRPC) into the client's typed exceptions, naming the endpoint and the operation. The exceptions themselves (the
/// <see cref="EtcdException"/> tree, the public error contract) and their wording from etcd's status codes come from
/// <see cref="EtcdErrors"/>.
/// </summary>
internal static class RpcErrors
{
    /// <summary>
    /// Maps a failed Grpc.Net.Client call: a status etcd sent (with its message), the call's deadline, a failure below
    /// gRPC (connect, DNS, TLS, a broken connection: Grpc.Net.Client keeps it as the status' debug exception, which
    /// becomes the inner exception), or an answer that is not gRPC at all. <paramref name="endpointHasAnswered"/> says
    /// whether this endpoint has answered a call before (see <see cref="IsTransportFailure"/>).
    /// </summary>
    public static EtcdException FromRpc(string endpoint, string operation, RpcException exception, TimeSpan timeout, bool endpointHasAnswered)
    {
        var status = exception.Status;
        if (status.StatusCode == StatusCode.DeadlineExceeded)
        {
            return DeadlineExceeded(endpoint, operation, timeout, exception);
        }

        if (status.DebugException is { } below)
        {
            return IsTransportFailure(below, endpointHasAnswered)
                ? FromTransport(endpoint, operation, below)
                : EtcdErrors.Protocol(endpoint, operation, $"{status.Detail} ({below.Message})", below, (EtcdStatusCode)status.StatusCode);
        }

        // Grpc.Net.Client's own checks of the HTTP answer (HTTP status, content type, missing grpc-status) say so in the
        // detail; etcd never sends these texts. From an endpoint that has answered gRPC before, such an answer is a member
        // going away under the call (a restart cuts its streams without headers): unreachable for now, not a wrong URL.
        if (status.Detail.StartsWith("Bad gRPC response.", StringComparison.Ordinal) || status.Detail.StartsWith("No grpc-status found", StringComparison.Ordinal))
        {
            return endpointHasAnswered
                ? new EtcdUnavailableException(EtcdErrors.Describe(endpoint, operation, $"the member stopped answering mid-call ({status.Detail})", "It may be restarting or shutting down"),
                    endpoint, operation, EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable, null, exception)
                : EtcdErrors.Protocol(endpoint, operation, status.Detail, exception, (EtcdStatusCode)status.StatusCode);
        }

        return EtcdErrors.FromStatus(endpoint, operation, (EtcdStatusCode)status.StatusCode, status.Detail.Length == 0 ? null : status.Detail);
    }

    /// <summary>A streaming call received nothing for <paramref name="idleTimeout"/>.</summary>
    public static EtcdUnavailableException Stalled(string endpoint, string operation, TimeSpan idleTimeout, Exception? inner) =>
        new(EtcdErrors.Describe(endpoint, operation, $"no data for {EtcdErrors.Format(idleTimeout)}", "The member may be paused or overloaded; the idle timeout is EtcdClientOptions.SnapshotTimeout"),
            endpoint, operation, EtcdStatusCode.DeadlineExceeded, EtcdErrorCode.DeadlineExceeded, null, inner);

    /// <summary>The call's own deadline passed (the server may still be working on it).</summary>
    public static EtcdUnavailableException DeadlineExceeded(string endpoint, string operation, TimeSpan timeout, Exception? inner) =>
        new(EtcdErrors.Describe(endpoint, operation, $"no answer within {EtcdErrors.Format(timeout)}", "The member may be paused, overloaded or busy defragmenting; a longer timeout may be needed for heavy calls"),
            endpoint, operation, EtcdStatusCode.DeadlineExceeded, EtcdErrorCode.DeadlineExceeded, null, inner);

    /// <summary>Builds the exception for a failure below gRPC: connect, DNS, TLS, a broken connection.</summary>
    public static EtcdUnavailableException FromTransport(string endpoint, string operation, Exception exception)
    {
        var cause = DescribeTransport(endpoint, exception);
        return new EtcdUnavailableException(EtcdErrors.Describe(endpoint, operation, cause, null),
            endpoint, operation, EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable, null, exception);
    }

    /// <summary>
    /// Whether a failure below gRPC is the network's (unreachable, TLS, a broken or dead connection) rather than an answer
    /// that is not HTTP/2 gRPC at all (a plain HTTP/1.1 port, a proxy's error page). SocketsHttpHandler reports both an
    /// HTTP/1.1 server's answer to the HTTP/2 preface and an unanswered keepalive ping as an HTTP/2 protocol error, so
    /// that one counts as the network's only on an endpoint that has answered gRPC before.
    /// </summary>
    private static bool IsTransportFailure(Exception exception, bool endpointHasAnswered) => IsTlsFailure(exception) || exception switch
    {
        Google.Protobuf.InvalidProtocolBufferException => false,
        HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError } => endpointHasAnswered,
        HttpRequestException { HttpRequestError: HttpRequestError.InvalidResponse or HttpRequestError.VersionNegotiationError } => false,
        HttpRequestException or IOException or SocketException or AuthenticationException => true,
        // Cancelled below gRPC while the caller's own token was not (a connection torn down under the call): no answer
        // came, which says nothing about what listens on the port.
        OperationCanceledException => true,
        _ => false,
    };

    /// <summary>
    /// Whether TLS failed somewhere in the chain (a handshake, or the server's alert that it refused the client
    /// certificate, which SocketsHttpHandler wraps as an unfinished HTTP/2 handshake).
    /// </summary>
    private static bool IsTlsFailure(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is AuthenticationException || e.GetType().Name == "SslException")
            {
                return true;
            }
        }

        return false;
    }

    private static string DescribeTransport(string endpoint, Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AuthenticationException auth:
                    return $"TLS handshake failed ({auth.Message}); check the CA file, the client certificate and key, and the server name";
                case SocketException { SocketErrorCode: SocketError.ConnectionRefused }:
                    return "connection refused (is etcd running and listening on this client URL?)";
                case SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } dns:
                    return $"the host name could not be resolved ({dns.Message})";
                case SocketException socket:
                    return $"network error {socket.SocketErrorCode} ({socket.Message})";
                case IOException io when io.InnerException is null:
                    return WithClientCertificateHint(endpoint, $"the connection broke ({io.Message})");
            }
        }

        return WithClientCertificateHint(endpoint, DescribeExceptionChain(exception));
    }

    /// <summary>
    /// Every message of an exception and its inner exceptions, outermost first, without repeats; HttpClient's own
    /// "An error occurred while sending the request." is left out when an inner exception says what happened.
    /// </summary>
    internal static string DescribeExceptionChain(Exception exception)
    {
        var parts = new List<string>();
        for (var e = exception; e is not null; e = e.InnerException)
        {
            var message = e.Message.Trim().TrimEnd('.');
            if (message.Length > 0 && !(e is HttpRequestException && e.InnerException is not null) && !parts.Contains(message))
            {
                parts.Add(message);
            }
        }

        return parts.Count == 0 ? exception.GetType().Name : string.Join(": ", parts);
    }

    /// <summary>Over TLS, a connection the server closes without an answer is how etcd with --client-cert-auth refuses a client certificate.</summary>
    private static string WithClientCertificateHint(string endpoint, string cause) =>
        endpoint.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
            ? $"{cause}; over TLS, etcd with --client-cert-auth closes the connection like this when the client certificate is missing or not signed by its CA: check the client certificate and key (--cert, --key)"
            : cause;
}
