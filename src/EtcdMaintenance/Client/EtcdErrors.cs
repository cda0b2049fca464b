using System.Net.Sockets;
using System.Security.Authentication;
using Grpc.Core;

namespace EtcdMaintenance;

/// <summary>The one place that turns gRPC statuses and transport failures into typed exceptions with diagnostics.</summary>
internal static class EtcdErrors
{
    // etcd's messages (api/v3rpc/rpctypes), matched without the "etcdserver: " prefix.
    private static readonly (string Text, EtcdErrorCode Code)[] s_messages =
    [
        ("mvcc: database space exceeded", EtcdErrorCode.NoSpace),
        ("mvcc: required revision has been compacted", EtcdErrorCode.RevisionCompacted),
        ("mvcc: required revision is a future revision", EtcdErrorCode.FutureRevision),
        ("member not found", EtcdErrorCode.MemberNotFound),
        ("unhealthy cluster", EtcdErrorCode.UnhealthyCluster),
        ("re-configuration failed due to not enough started members", EtcdErrorCode.UnhealthyCluster),
        ("authentication failed, invalid user ID or password", EtcdErrorCode.AuthenticationFailed),
        ("invalid auth token", EtcdErrorCode.InvalidAuthToken),
        ("permission denied", EtcdErrorCode.PermissionDenied),
        ("user name is empty", EtcdErrorCode.AuthenticationFailed),
        ("no leader", EtcdErrorCode.NoLeader),
        ("not leader", EtcdErrorCode.NotLeader),
        ("leader changed", EtcdErrorCode.LeaderChanged),
        ("request timed out", EtcdErrorCode.ServerTimeout),
        ("corrupt cluster", EtcdErrorCode.Corrupt),
        ("Peer URLs already exists", EtcdErrorCode.PeerUrlExists),
        ("can only promote a learner member which is in sync with leader", EtcdErrorCode.LearnerNotReady),
        ("can only promote a learner member", EtcdErrorCode.MemberNotLearner),
        ("too many learner members in cluster", EtcdErrorCode.TooManyLearners),
        ("rpc not supported for learner", EtcdErrorCode.NotSupportedForLearner),
        ("bad leader transferee", EtcdErrorCode.BadLeaderTransferee),
        ("server stopped", EtcdErrorCode.ServerStopped),
    ];

    /// <summary>Classifies etcd's message; falls back on the status code.</summary>
    public static EtcdErrorCode Classify(EtcdStatusCode status, string? serverMessage)
    {
        if (!string.IsNullOrEmpty(serverMessage))
        {
            var text = serverMessage.StartsWith("etcdserver: ", StringComparison.Ordinal) ? serverMessage["etcdserver: ".Length..] : serverMessage;
            foreach (var (known, code) in s_messages)
            {
                if (text.StartsWith(known, StringComparison.Ordinal))
                {
                    return code;
                }
            }
        }

        return status switch
        {
            EtcdStatusCode.DeadlineExceeded => EtcdErrorCode.DeadlineExceeded,
            EtcdStatusCode.Unavailable => EtcdErrorCode.EndpointUnavailable,
            EtcdStatusCode.PermissionDenied => EtcdErrorCode.PermissionDenied,
            EtcdStatusCode.Unauthenticated => EtcdErrorCode.InvalidAuthToken,
            EtcdStatusCode.DataLoss => EtcdErrorCode.Corrupt,
            _ => EtcdErrorCode.Unknown,
        };
    }

    /// <summary>Builds the exception for a non-OK gRPC status the server sent.</summary>
    public static EtcdException FromStatus(string? endpoint, string operation, EtcdStatusCode status, string? serverMessage)
    {
        var code = Classify(status, serverMessage);
        var message = Describe(endpoint, operation, $"etcd answered {status}: {serverMessage ?? "(no message)"}", Advice(code));
        return code switch
        {
            EtcdErrorCode.NoSpace => new EtcdNoSpaceException(message, endpoint, operation, serverMessage),
            EtcdErrorCode.RevisionCompacted or EtcdErrorCode.FutureRevision => new EtcdRevisionException(message, endpoint, operation, code, serverMessage),
            EtcdErrorCode.MemberNotFound => new EtcdMemberNotFoundException(message, endpoint, operation, serverMessage),
            EtcdErrorCode.UnhealthyCluster => new EtcdUnhealthyClusterException(message, endpoint, operation, status, serverMessage),
            EtcdErrorCode.AuthenticationFailed or EtcdErrorCode.PermissionDenied or EtcdErrorCode.InvalidAuthToken =>
                new EtcdAuthException(message, endpoint, operation, status, code, serverMessage),
            EtcdErrorCode.DeadlineExceeded => new EtcdUnavailableException(message, endpoint, operation, status, code, serverMessage, null),
            _ => new EtcdException(message, endpoint, operation, status, code, serverMessage),
        };
    }

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
                : Protocol(endpoint, operation, $"{status.Detail} ({below.Message})", below, (EtcdStatusCode)status.StatusCode);
        }

        // Grpc.Net.Client's own checks of the HTTP answer (HTTP status, content type, missing grpc-status) say so in the
        // detail; etcd never sends these texts.
        if (status.Detail.StartsWith("Bad gRPC response.", StringComparison.Ordinal) || status.Detail.StartsWith("No grpc-status found", StringComparison.Ordinal))
        {
            return Protocol(endpoint, operation, status.Detail, exception, (EtcdStatusCode)status.StatusCode);
        }

        return FromStatus(endpoint, operation, (EtcdStatusCode)status.StatusCode, status.Detail.Length == 0 ? null : status.Detail);
    }

    /// <summary>A streaming call received nothing for <paramref name="idleTimeout"/>.</summary>
    public static EtcdUnavailableException Stalled(string endpoint, string operation, TimeSpan idleTimeout, Exception? inner) =>
        new(Describe(endpoint, operation, $"no data for {Format(idleTimeout)}", "The member may be paused or overloaded; the idle timeout is EtcdClientOptions.SnapshotTimeout"),
            endpoint, operation, EtcdStatusCode.DeadlineExceeded, EtcdErrorCode.DeadlineExceeded, null, inner);

    /// <summary>The call's own deadline passed (the server may still be working on it).</summary>
    public static EtcdUnavailableException DeadlineExceeded(string endpoint, string operation, TimeSpan timeout, Exception? inner) =>
        new(Describe(endpoint, operation, $"no answer within {Format(timeout)}", "The member may be paused, overloaded or busy defragmenting; a longer timeout may be needed for heavy calls"),
            endpoint, operation, EtcdStatusCode.DeadlineExceeded, EtcdErrorCode.DeadlineExceeded, null, inner);

    /// <summary>Builds the exception for a failure below gRPC: connect, DNS, TLS, a broken connection.</summary>
    public static EtcdUnavailableException FromTransport(string endpoint, string operation, Exception exception)
    {
        var cause = DescribeTransport(endpoint, exception);
        return new EtcdUnavailableException(Describe(endpoint, operation, cause, null),
            endpoint, operation, EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable, null, exception);
    }

    /// <summary>The server's answer was not valid gRPC/protobuf.</summary>
    public static EtcdException Protocol(string endpoint, string operation, string what, Exception? inner = null, EtcdStatusCode status = EtcdStatusCode.Internal) =>
        new(Describe(endpoint, operation, $"the answer is not valid gRPC: {what}", "Is this an etcd v3 client URL (not a peer URL or a proxy)?"),
            endpoint, operation, status, EtcdErrorCode.ProtocolError, null, inner);

    internal static string Format(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 ? $"{timeout.TotalSeconds:0.###} s" : $"{timeout.TotalMilliseconds:0} ms";

    private static string Describe(string? endpoint, string operation, string what, string? advice)
    {
        var where = endpoint is null ? operation : $"{operation} on {endpoint}";
        return advice is null ? $"{where} failed: {what}." : $"{where} failed: {what}. {advice.TrimEnd('?')}{(advice.EndsWith('?') ? "?" : ".")}";
    }

    private static string? Advice(EtcdErrorCode code) => code switch
    {
        EtcdErrorCode.NoSpace => "The NOSPACE alarm is active: compact, defragment every member, then disarm the alarm (see SpaceRecovery), or raise --quota-backend-bytes",
        EtcdErrorCode.RevisionCompacted => "Ask for a revision at or above the compacted one",
        EtcdErrorCode.FutureRevision => "Ask for a revision at or below the current one",
        EtcdErrorCode.MemberNotFound => "List the members (member list) and use an ID from it",
        EtcdErrorCode.UnhealthyCluster => "The change was refused to protect quorum: bring the other members back, or remove a failed member before adding its replacement",
        EtcdErrorCode.AuthenticationFailed => "Check the user name and password",
        EtcdErrorCode.PermissionDenied => "Grant the user a role with the permission, or use root for maintenance calls",
        EtcdErrorCode.NotLeader => "Send the call to the current leader",
        EtcdErrorCode.NoLeader => "An election is under way or quorum is lost; try again shortly",
        EtcdErrorCode.LearnerNotReady => "Wait until the learner has caught up, then try again",
        EtcdErrorCode.NotSupportedForLearner => "Learners only answer Status and serializable reads",
        EtcdErrorCode.Corrupt => "A member's data diverged: check consistency (HashKV) and replace the bad member; do not disarm CORRUPT blindly",
        _ => null,
    };

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
