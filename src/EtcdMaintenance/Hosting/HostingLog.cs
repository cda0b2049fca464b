using Microsoft.Extensions.Logging;

namespace EtcdMaintenance;

/// <summary>Hosting's log messages (event IDs 7000-7099).</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 7000, Level = LogLevel.Warning, Message = "Accepted the new host key of {Node} port {Port}: {KeyType} {Fingerprint}, recorded in {KnownHostsFile}")]
    public static partial void HostKeyAccepted(ILogger logger, string node, int port, string keyType, string fingerprint, string knownHostsFile);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "{Step} on {Node} exited {ExitCode}")]
    public static partial void NodeCommand(ILogger logger, string node, string step, int exitCode);
}
