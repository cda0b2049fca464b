namespace EtcdMaintenance;

/// <summary>
/// An operation (space recovery, quota raise, member replacement) refused to start or to go on because a safety check
/// failed: a member is unreachable, a CORRUPT alarm is active, quorum would be lost... The message says what to do.
/// Nothing was changed by the step that refused.
/// </summary>
/// <remarks>Raised by the operations layer only; it keeps the root namespace so that callers catching it need no change.</remarks>
public sealed class EtcdSafetyCheckException : EtcdException
{
    /// <summary>Creates the error with a generic message.</summary>
    public EtcdSafetyCheckException()
        : this("An operation was refused by a safety check; nothing was changed.")
    {
    }

    /// <summary>Creates the error with <paramref name="message"/>.</summary>
    /// <param name="message">What was refused and what to do.</param>
    public EtcdSafetyCheckException(string message)
        : this(message, (Exception?)null)
    {
    }

    /// <summary>Creates the error with <paramref name="message"/> and the error that caused it.</summary>
    /// <param name="message">What was refused and what to do.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdSafetyCheckException(string message, Exception? innerException)
        : base(message, (innerException as EtcdException)?.Endpoint, "SafetyCheck", EtcdStatusCode.FailedPrecondition, EtcdErrorCode.SafetyCheckRefused, null, innerException)
    {
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">What was refused and what to do.</param>
    /// <param name="endpoint">The endpoint the refusal is about, if any.</param>
    /// <param name="operation">The operation that refused (e.g. <c>MemberReplacement</c>).</param>
    public EtcdSafetyCheckException(string message, string? endpoint, string operation)
        : base(message, endpoint, operation, EtcdStatusCode.FailedPrecondition, EtcdErrorCode.SafetyCheckRefused, null)
    {
    }
}
