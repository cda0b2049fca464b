using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Every log message of the operations layer (space recovery 3000s, quota raise 3100s, scheduled defragmentation 3200s,
/// consistency check and member replacement 4000s), with stable event IDs. Secrets (passwords, tokens, keys) never appear.
/// </summary>
internal static partial class OperationsLog
{
    [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Space recovery {Stage} [{Member}]: {Message}")]
    public static partial void SpaceRecoveryProgress(ILogger logger, SpaceRecoveryStage stage, string member, string message);

    [LoggerMessage(EventId = 3101, Level = LogLevel.Information, Message = "Quota raise {Stage} [{Member}]: {Message}")]
    public static partial void QuotaRaiseProgress(ILogger logger, QuotaRaiseStage stage, string member, string message);

    [LoggerMessage(EventId = 3201, Level = LogLevel.Information, Message = "Scheduled defragmentation: ran {Ran}: {Reason}")]
    public static partial void ScheduledDefragmentation(ILogger logger, bool ran, string reason);

    [LoggerMessage(EventId = 4001, Level = LogLevel.Warning, Message = "Consistency check: {Member} {Issue}: {Message}")]
    public static partial void ConsistencyFinding(ILogger logger, string member, ConsistencyIssue issue, string message);

    [LoggerMessage(EventId = 4002, Level = LogLevel.Information, Message = "Consistency check: hashing again after attempt {Attempt} at revision {Revision}: {Reason}")]
    public static partial void ConsistencyHashRetry(ILogger logger, int attempt, long revision, string reason);

    [LoggerMessage(EventId = 4010, Level = LogLevel.Information, Message = "Member replacement {OperationId} {Step} {Kind}: {Message}")]
    public static partial void ReplacementProgress(ILogger logger, string operationId, MemberReplacementStep step, MemberReplacementProgressKind kind, string message);

    [LoggerMessage(EventId = 4011, Level = LogLevel.Error, Message = "Member replacement {OperationId} stopped at {Step}: {Message}")]
    public static partial void ReplacementFailed(ILogger logger, string operationId, MemberReplacementStep step, string message);

    [LoggerMessage(EventId = 4012, Level = LogLevel.Debug, Message = "Member replacement {OperationId}: journal {Path} written, next step {Step}")]
    public static partial void ReplacementJournalWritten(ILogger logger, string operationId, string path, MemberReplacementStep step);

    [LoggerMessage(EventId = 4013, Level = LogLevel.Information, Message = "Member replacement {OperationId}: {What} refused ({Reason}); trying again in {Delay}")]
    public static partial void ReplacementRetrying(ILogger logger, string operationId, string what, string reason, TimeSpan delay);

    [LoggerMessage(EventId = 4014, Level = LogLevel.Information, Message = "Member replacement {OperationId} of {Member} ({MemberId}) started; journal {Path}")]
    public static partial void ReplacementStarted(ILogger logger, string operationId, string member, MemberId memberId, string path);
}
