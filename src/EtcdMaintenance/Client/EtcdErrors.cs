namespace EtcdMaintenance;

/// <summary>
/// The one place that builds the typed exceptions with their diagnostics from etcd's status codes and messages (used by the
/// client, the etcdctl parsers and the operations); the mapping of gRPC and network failures is the transport's
/// (<see cref="Transport.RpcErrors"/>), which builds its exceptions through this class.
/// </summary>
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

    /// <summary>The server's answer was not valid gRPC/protobuf.</summary>
    public static EtcdException Protocol(string endpoint, string operation, string what, Exception? inner = null, EtcdStatusCode status = EtcdStatusCode.Internal) =>
        new(Describe(endpoint, operation, $"the answer is not valid gRPC: {what}", "Is this an etcd v3 client URL (not a peer URL or a proxy)?"),
            endpoint, operation, status, EtcdErrorCode.ProtocolError, null, inner);

    internal static string Format(TimeSpan timeout) =>
        timeout.TotalSeconds >= 1 ? $"{timeout.TotalSeconds:0.###} s" : $"{timeout.TotalMilliseconds:0} ms";

    internal static string Describe(string? endpoint, string operation, string what, string? advice)
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
}
