namespace EtcdMaintenance.Hosting;

/// <summary>Why a step on a member's node failed.</summary>
public enum EtcdHostErrorCode
{
    /// <summary>The node could not be reached (no route, connection refused, DNS, SSH handshake failed).</summary>
    Unreachable,

    /// <summary>The node's host key is not in the known_hosts file (and accepting new keys was not asked for).</summary>
    HostKeyUnknown,

    /// <summary>The node presented a host key other than the one known_hosts holds for it: refused, always.</summary>
    HostKeyChanged,

    /// <summary>The node refused the key, or the private key file could not be read or decrypted.</summary>
    AuthenticationFailed,

    /// <summary><c>sudo</c> was asked for and the user may not run commands through it without a password.</summary>
    SudoRefused,

    /// <summary>The step did not finish within its timeout.</summary>
    Timeout,

    /// <summary>The member's manifest is neither in place nor parked on the node.</summary>
    ManifestMissing,

    /// <summary>The manifest changed on the node after it was loaded; nothing was written.</summary>
    ManifestChangedOnNode,

    /// <summary>Where something would be moved to exists already (a parked manifest, an archived data dir): refused.</summary>
    TargetExists,

    /// <summary>The member is meant to run (its manifest is in place): its data dir is not moved.</summary>
    MemberRunning,

    /// <summary>A command on the node failed.</summary>
    CommandFailed,
}

/// <summary>
/// A step on a member's node failed. Names the node and the step; unless the message says otherwise, nothing was changed
/// on the node by the failed step. An <see cref="IOException"/>: operations stop at the step boundary on it as on any I/O
/// failure (a node that drops mid-run), record what was done, and resume from their journal.
/// </summary>
public sealed class EtcdHostException : IOException
{
    /// <summary>Creates an error without a node or step.</summary>
    public EtcdHostException()
        : this("A step on a member's node failed.")
    {
    }

    /// <summary>Creates an error without a node or step.</summary>
    /// <param name="message">The message.</param>
    public EtcdHostException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates an error without a node or step.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying error.</param>
    public EtcdHostException(string message, Exception? innerException)
        : base(message, innerException)
    {
        Node = string.Empty;
        Step = string.Empty;
        ErrorCode = EtcdHostErrorCode.CommandFailed;
    }

    /// <summary>Creates an error. The library builds its own; this is public so that callers can fake errors in tests.</summary>
    /// <param name="node">The node (host name or address).</param>
    /// <param name="step">The step that failed (e.g. <c>connect</c>, <c>load manifest</c>).</param>
    /// <param name="errorCode">Why.</param>
    /// <param name="detail">What happened, for the message.</param>
    /// <param name="innerException">The underlying error.</param>
    public EtcdHostException(string node, string step, EtcdHostErrorCode errorCode, string detail, Exception? innerException = null)
        : base($"{step} on node {node} failed ({errorCode}): {detail}", innerException)
    {
        Node = node;
        Step = step;
        ErrorCode = errorCode;
    }

    /// <summary>The node.</summary>
    public string Node { get; }

    /// <summary>The step that failed.</summary>
    public string Step { get; }

    /// <summary>Why it failed.</summary>
    public EtcdHostErrorCode ErrorCode { get; }
}
