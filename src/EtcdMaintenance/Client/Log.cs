using Microsoft.Extensions.Logging;

namespace EtcdMaintenance;

/// <summary>Every log message the library writes, with stable event IDs. Secrets (passwords, tokens, keys) never appear.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "{Operation} on {Endpoint} failed: {ErrorCode} {StatusCode}")]
    public static partial void CallFailed(ILogger logger, string operation, string endpoint, EtcdErrorCode errorCode, EtcdStatusCode statusCode);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Authenticated as {User} on {Endpoint}")]
    public static partial void Authenticated(ILogger logger, string user, string endpoint);

    [LoggerMessage(EventId = 1003, Level = LogLevel.Information, Message = "{Endpoint} rejected the auth token for {Operation}; authenticating again")]
    public static partial void TokenRejected(ILogger logger, string endpoint, string operation);

    [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "{Endpoint} has authentication disabled; calling without a token")]
    public static partial void AuthNotEnabled(ILogger logger, string endpoint);

    [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "{Operation}: {Endpoint} is unreachable, trying the next endpoint")]
    public static partial void FailingOver(ILogger logger, string operation, string endpoint);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Information, Message = "Defragmenting {Endpoint} (timeout {Timeout})")]
    public static partial void DefragmentStarting(ILogger logger, string endpoint, TimeSpan timeout);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Information, Message = "Defragmented {Endpoint} in {Elapsed}")]
    public static partial void DefragmentCompleted(ILogger logger, string endpoint, TimeSpan elapsed);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Information, Message = "Compacted to revision {Revision} (physical: {Physical}) via {Endpoint}")]
    public static partial void Compacted(ILogger logger, long revision, bool physical, string endpoint);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Information, Message = "{Operation} {MemberId} via {Endpoint}")]
    public static partial void MemberChanged(ILogger logger, string operation, MemberId memberId, string endpoint);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Information, Message = "Disarmed alarm {Alarm} on member {MemberId}")]
    public static partial void AlarmDisarmed(ILogger logger, EtcdAlarmType alarm, MemberId memberId);

    [LoggerMessage(EventId = 1015, Level = LogLevel.Information, Message = "Snapshot of {Endpoint}: {Size} bytes, sha256 {Sha256}")]
    public static partial void SnapshotSaved(ILogger logger, string endpoint, long size, string sha256);
}
