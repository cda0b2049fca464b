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

    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Space recovery {Stage} [{Member}]: {Message}")]
    public static partial void SpaceRecoveryProgress(ILogger logger, Operations.SpaceRecoveryStage stage, string member, string message);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Quota raise {Stage} [{Member}]: {Message}")]
    public static partial void QuotaRaiseProgress(ILogger logger, Operations.QuotaRaiseStage stage, string member, string message);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Scheduled defragmentation: ran {Ran}: {Reason}")]
    public static partial void ScheduledDefragmentation(ILogger logger, bool ran, string reason);
    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Consistency check: {Member} {Issue}: {Message}")]
    public static partial void ConsistencyFinding(ILogger logger, string member, Operations.ConsistencyIssue issue, string message);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Consistency check: hashing again after attempt {Attempt} at revision {Revision}: {Reason}")]
    public static partial void ConsistencyHashRetry(ILogger logger, int attempt, long revision, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Member replacement {OperationId} {Step} {Kind}: {Message}")]
    public static partial void ReplacementProgress(ILogger logger, string operationId, Operations.MemberReplacementStep step, Operations.MemberReplacementProgressKind kind, string message);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "Member replacement {OperationId} stopped at {Step}: {Message}")]
    public static partial void ReplacementFailed(ILogger logger, string operationId, Operations.MemberReplacementStep step, string message);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Member replacement {OperationId}: journal {Path} written, next step {Step}")]
    public static partial void ReplacementJournalWritten(ILogger logger, string operationId, string path, Operations.MemberReplacementStep step);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Member replacement {OperationId}: {What} refused ({Reason}); trying again in {Delay}")]
    public static partial void ReplacementRetrying(ILogger logger, string operationId, string what, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "Member replacement {OperationId} of {Member} ({MemberId}) started; journal {Path}")]
    public static partial void ReplacementStarted(ILogger logger, string operationId, string member, MemberId memberId, string path);
}
