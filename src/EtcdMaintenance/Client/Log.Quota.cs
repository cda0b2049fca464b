using Microsoft.Extensions.Logging;

namespace EtcdMaintenance;

/// <summary>Log messages of the quota read from members' metrics (event IDs 1050-1059).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1050, Level = LogLevel.Debug, Message = "Quota of {Endpoint} read from its metrics: {Quota} bytes")]
    public static partial void QuotaRead(ILogger logger, string endpoint, long quota);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Quota of {Endpoint} unknown: {Reason}")]
    public static partial void QuotaUnavailable(ILogger logger, string endpoint, string reason);
}
