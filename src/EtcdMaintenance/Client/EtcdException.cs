namespace EtcdMaintenance;

/// <summary>The gRPC status codes etcd answers with (the same numbers as gRPC's).</summary>
public enum EtcdStatusCode
{
    /// <summary>Success.</summary>
    OK = 0,
    /// <summary>The call was cancelled.</summary>
    Cancelled = 1,
    /// <summary>Unknown error.</summary>
    Unknown = 2,
    /// <summary>The request was invalid (etcd also uses this for a failed authentication).</summary>
    InvalidArgument = 3,
    /// <summary>The deadline passed before the call completed.</summary>
    DeadlineExceeded = 4,
    /// <summary>Not found (e.g. member not found).</summary>
    NotFound = 5,
    /// <summary>Already exists.</summary>
    AlreadyExists = 6,
    /// <summary>The user lacks permission.</summary>
    PermissionDenied = 7,
    /// <summary>Out of a resource (etcd: space quota exceeded, too many requests).</summary>
    ResourceExhausted = 8,
    /// <summary>The system is not in the state the call needs (e.g. not leader, learner not ready).</summary>
    FailedPrecondition = 9,
    /// <summary>Aborted.</summary>
    Aborted = 10,
    /// <summary>Out of range (etcd: compacted or future revision).</summary>
    OutOfRange = 11,
    /// <summary>Not implemented by this server.</summary>
    Unimplemented = 12,
    /// <summary>Internal server error.</summary>
    Internal = 13,
    /// <summary>The server could not be reached or cannot serve now (no leader, unhealthy cluster, stopped).</summary>
    Unavailable = 14,
    /// <summary>Unrecoverable data loss (etcd: corrupt cluster).</summary>
    DataLoss = 15,
    /// <summary>The request lacks valid authentication (etcd: invalid auth token).</summary>
    Unauthenticated = 16,
}

/// <summary>What went wrong, in a form code can switch on.</summary>
public enum EtcdErrorCode
{
    /// <summary>Not one of the errors below; see <see cref="EtcdException.StatusCode"/> and <see cref="EtcdException.ServerMessage"/>.</summary>
    Unknown = 0,
    /// <summary><c>etcdserver: mvcc: database space exceeded</c>: the NOSPACE alarm is active.</summary>
    NoSpace,
    /// <summary><c>etcdserver: mvcc: required revision has been compacted</c>.</summary>
    RevisionCompacted,
    /// <summary><c>etcdserver: mvcc: required revision is a future revision</c>.</summary>
    FutureRevision,
    /// <summary><c>etcdserver: member not found</c>.</summary>
    MemberNotFound,
    /// <summary><c>etcdserver: unhealthy cluster</c> or not enough started members: a member change was refused to protect quorum.</summary>
    UnhealthyCluster,
    /// <summary>Wrong user name or password.</summary>
    AuthenticationFailed,
    /// <summary>The auth token was rejected (expired or issued by a restarted member).</summary>
    InvalidAuthToken,
    /// <summary>The user lacks the permission.</summary>
    PermissionDenied,
    /// <summary>The endpoint could not be reached: connection refused, DNS, TLS handshake, or the connection broke.</summary>
    EndpointUnavailable,
    /// <summary>The call's deadline passed.</summary>
    DeadlineExceeded,
    /// <summary>The cluster has no leader (an election is under way or quorum is lost).</summary>
    NoLeader,
    /// <summary>The call must go to the leader (<c>etcdserver: not leader</c>).</summary>
    NotLeader,
    /// <summary>The leader changed while the request was in flight.</summary>
    LeaderChanged,
    /// <summary>The request timed out inside etcd.</summary>
    ServerTimeout,
    /// <summary><c>etcdserver: corrupt cluster</c>.</summary>
    Corrupt,
    /// <summary>The peer URL belongs to a member already.</summary>
    PeerUrlExists,
    /// <summary>Promote was asked of a member that is not a learner.</summary>
    MemberNotLearner,
    /// <summary>The learner has not caught up with the leader yet.</summary>
    LearnerNotReady,
    /// <summary>The cluster already has as many learners as it allows.</summary>
    TooManyLearners,
    /// <summary>The member is a learner and does not serve this call.</summary>
    NotSupportedForLearner,
    /// <summary>The leader transfer target is not a suitable member.</summary>
    BadLeaderTransferee,
    /// <summary>The server stopped while handling the call.</summary>
    ServerStopped,
    /// <summary>The server's answer was not valid gRPC or protobuf.</summary>
    ProtocolError,
    /// <summary>An operation refused to start or go on because a safety check failed (quorum, alarms, an unreachable member...).</summary>
    SafetyCheckRefused,
}

/// <summary>
/// The base of every error the client reports: which endpoint, which operation, the gRPC status, etcd's own message,
/// a machine-readable code, and whether trying again later may succeed.
/// </summary>
public class EtcdException : Exception
{
    /// <summary>Creates an error with a default message, no endpoint or operation, status and code <c>Unknown</c>.</summary>
    public EtcdException()
        : this("An etcd call failed.")
    {
    }

    /// <summary>Creates an error with a message, no endpoint or operation, status and code <c>Unknown</c>.</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdException(string message)
        : this(message, (Exception?)null)
    {
    }

    /// <summary>Creates an error with a message and its cause, no endpoint or operation, status and code <c>Unknown</c>.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdException(string message, Exception? innerException)
        : this(message, null, string.Empty, EtcdStatusCode.Unknown, EtcdErrorCode.Unknown, null, innerException)
    {
    }

    /// <summary>Creates an error. Prefer the library's own factory; this is public so that callers can fake errors in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="errorCode">What went wrong, machine-readable.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public EtcdException(string message, string? endpoint, string operation, EtcdStatusCode statusCode, EtcdErrorCode errorCode, string? serverMessage, Exception? innerException = null)
        : base(message, innerException)
    {
        Endpoint = endpoint;
        Operation = operation;
        StatusCode = statusCode;
        ErrorCode = errorCode;
        ServerMessage = serverMessage;
    }

    /// <summary>The endpoint the call went to, or <see langword="null"/> for an operation not tied to one.</summary>
    public string? Endpoint { get; }

    /// <summary>The operation, named by its etcd RPC (e.g. <c>Maintenance.Defragment</c>).</summary>
    public string Operation { get; }

    /// <summary>The gRPC status code.</summary>
    public EtcdStatusCode StatusCode { get; }

    /// <summary>What went wrong, machine-readable.</summary>
    public EtcdErrorCode ErrorCode { get; }

    /// <summary>etcd's own message (<c>grpc-message</c>), when the server sent one.</summary>
    public string? ServerMessage { get; }

    /// <summary>Whether the same call may succeed if tried again later (no leader, unreachable, timed out...).</summary>
    public bool IsTransient => ErrorCode is EtcdErrorCode.EndpointUnavailable or EtcdErrorCode.DeadlineExceeded or EtcdErrorCode.NoLeader
        or EtcdErrorCode.LeaderChanged or EtcdErrorCode.ServerTimeout or EtcdErrorCode.LearnerNotReady or EtcdErrorCode.ServerStopped
        or EtcdErrorCode.InvalidAuthToken;
}


/// <summary>Writes fail because the database reached its space quota (NOSPACE alarm): <c>etcdserver: mvcc: database space exceeded</c>.</summary>
public sealed class EtcdNoSpaceException : EtcdException
{
    /// <summary>Creates the error with a default message (status <c>ResourceExhausted</c>, code <c>NoSpace</c>).</summary>
    public EtcdNoSpaceException()
        : this("etcd's database space quota is exceeded (NOSPACE).")
    {
    }

    /// <summary>Creates the error with a message (status <c>ResourceExhausted</c>, code <c>NoSpace</c>).</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdNoSpaceException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message and its cause (status <c>ResourceExhausted</c>, code <c>NoSpace</c>).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdNoSpaceException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.ResourceExhausted, EtcdErrorCode.NoSpace, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    public EtcdNoSpaceException(string message, string? endpoint, string operation, string? serverMessage)
        : base(message, endpoint, operation, EtcdStatusCode.ResourceExhausted, EtcdErrorCode.NoSpace, serverMessage)
    {
    }
}

/// <summary>A revision was asked for that is compacted away, or that does not exist yet.</summary>
public sealed class EtcdRevisionException : EtcdException
{
    /// <summary>Creates the error with a default message (status <c>OutOfRange</c>, code <c>RevisionCompacted</c>).</summary>
    public EtcdRevisionException()
        : this("The revision asked for is compacted or in the future.")
    {
    }

    /// <summary>Creates the error with a message (status <c>OutOfRange</c>, code <c>RevisionCompacted</c>).</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdRevisionException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message and its cause (status <c>OutOfRange</c>, code <c>RevisionCompacted</c>).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdRevisionException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.OutOfRange, EtcdErrorCode.RevisionCompacted, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="errorCode">What went wrong, machine-readable.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    public EtcdRevisionException(string message, string? endpoint, string operation, EtcdErrorCode errorCode, string? serverMessage)
        : base(message, endpoint, operation, EtcdStatusCode.OutOfRange, errorCode, serverMessage)
    {
    }
}

/// <summary>A member ID that the cluster does not know.</summary>
public sealed class EtcdMemberNotFoundException : EtcdException
{
    /// <summary>Creates the error with a default message (status <c>NotFound</c>, code <c>MemberNotFound</c>).</summary>
    public EtcdMemberNotFoundException()
        : this("The cluster has no such member.")
    {
    }

    /// <summary>Creates the error with a message (status <c>NotFound</c>, code <c>MemberNotFound</c>).</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdMemberNotFoundException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message and its cause (status <c>NotFound</c>, code <c>MemberNotFound</c>).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdMemberNotFoundException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.NotFound, EtcdErrorCode.MemberNotFound, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    public EtcdMemberNotFoundException(string message, string? endpoint, string operation, string? serverMessage)
        : base(message, endpoint, operation, EtcdStatusCode.NotFound, EtcdErrorCode.MemberNotFound, serverMessage)
    {
    }
}

/// <summary>etcd refused a member change because the cluster would lose quorum or lacks started members.</summary>
public sealed class EtcdUnhealthyClusterException : EtcdException
{
    /// <summary>Creates the error with a default message (status <c>Unavailable</c>, code <c>UnhealthyCluster</c>).</summary>
    public EtcdUnhealthyClusterException()
        : this("The cluster is unhealthy: the change would lose quorum.")
    {
    }

    /// <summary>Creates the error with a message (status <c>Unavailable</c>, code <c>UnhealthyCluster</c>).</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdUnhealthyClusterException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message and its cause (status <c>Unavailable</c>, code <c>UnhealthyCluster</c>).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdUnhealthyClusterException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.Unavailable, EtcdErrorCode.UnhealthyCluster, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    public EtcdUnhealthyClusterException(string message, string? endpoint, string operation, EtcdStatusCode statusCode, string? serverMessage)
        : base(message, endpoint, operation, statusCode, EtcdErrorCode.UnhealthyCluster, serverMessage)
    {
    }
}

/// <summary>Authentication failed (wrong user or password) or the user lacks the permission.</summary>
public sealed class EtcdAuthException : EtcdException
{
    /// <summary>Creates the error with a default message (status <c>InvalidArgument</c>, code <c>AuthenticationFailed</c>).</summary>
    public EtcdAuthException()
        : this("Authentication with etcd failed.")
    {
    }

    /// <summary>Creates the error with a message (status <c>InvalidArgument</c>, code <c>AuthenticationFailed</c>).</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdAuthException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message and its cause (status <c>InvalidArgument</c>, code <c>AuthenticationFailed</c>).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdAuthException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.InvalidArgument, EtcdErrorCode.AuthenticationFailed, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="errorCode">What went wrong, machine-readable.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    public EtcdAuthException(string message, string? endpoint, string operation, EtcdStatusCode statusCode, EtcdErrorCode errorCode, string? serverMessage)
        : base(message, endpoint, operation, statusCode, errorCode, serverMessage)
    {
    }
}

/// <summary>
/// The endpoint could not be reached or did not answer in time: connection refused, DNS failure, TLS handshake
/// failure (the inner exception says which), a broken connection, or a deadline that passed.
/// </summary>
public sealed class EtcdUnavailableException : EtcdException
{
    /// <summary>Creates the error with a default message (status <c>Unavailable</c>, code <c>EndpointUnavailable</c>).</summary>
    public EtcdUnavailableException()
        : this("The etcd endpoint could not be reached.")
    {
    }

    /// <summary>Creates the error with a message (status <c>Unavailable</c>, code <c>EndpointUnavailable</c>).</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdUnavailableException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message and its cause (status <c>Unavailable</c>, code <c>EndpointUnavailable</c>).</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdUnavailableException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What went wrong, naming the endpoint and the operation.</param>
    /// <param name="endpoint">The endpoint the call went to, or <see langword="null"/>.</param>
    /// <param name="operation">The operation, named by its etcd RPC.</param>
    /// <param name="statusCode">The gRPC status code.</param>
    /// <param name="errorCode">What went wrong, machine-readable.</param>
    /// <param name="serverMessage">etcd's own message, when it sent one.</param>
    /// <param name="innerException">The cause, when there is one.</param>
    public EtcdUnavailableException(string message, string? endpoint, string operation, EtcdStatusCode statusCode, EtcdErrorCode errorCode, string? serverMessage, Exception? innerException)
        : base(message, endpoint, operation, statusCode, errorCode, serverMessage, innerException)
    {
    }
}
