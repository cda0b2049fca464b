using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Monitoring;

/// <summary>Monitoring's log messages (<see cref="ClusterPoller"/>), event IDs 2000-2999. Secrets never appear.</summary>
internal static partial class MonitoringLog
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "Polling {Members} members every {Interval}")]
    public static partial void PollerStarted(ILogger logger, int members, TimeSpan interval);

    [LoggerMessage(EventId = 2001, Level = LogLevel.Information, Message = "Polling stopped after {Rounds} rounds")]
    public static partial void PollerStopped(ILogger logger, long rounds);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Debug, Message = "Round {Round}: {Up} of {Members} members answered in {Duration}, {Findings} findings")]
    public static partial void RoundCompleted(ILogger logger, long round, int up, int members, TimeSpan duration, int findings);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Warning, Message = "{Endpoint} ({MemberId}) stopped answering: {ErrorCode} {Message}")]
    public static partial void MemberDown(ILogger logger, string endpoint, MemberId memberId, EtcdErrorCode errorCode, string message);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Information, Message = "{Endpoint} ({MemberId}) answers again")]
    public static partial void MemberUp(ILogger logger, string endpoint, MemberId memberId);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Information, Message = "Leader changed from {Previous} to {Current} (term {Term})")]
    public static partial void LeaderChanged(ILogger logger, MemberId previous, MemberId current, ulong term);

    [LoggerMessage(EventId = 2006, Message = "{Kind} on {Subject}: {Summary} ({Evidence})")]
    public static partial void FindingRaised(ILogger logger, LogLevel level, FindingKind kind, string subject, string summary, string evidence);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Information, Message = "Cleared: {Kind} on {Subject}")]
    public static partial void FindingCleared(ILogger logger, FindingKind kind, string subject);
}
