using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// This node's member, run by a systemd unit, for a tool that runs on the member's own node: the strategy of
/// <see cref="SystemdMemberHost"/>, with <c>systemctl</c> run here as the current user (root, or one allowed to manage
/// the unit and edit its files).
/// </summary>
/// <remarks>Not thread-safe for concurrent operations on one member: one operation drives a host at a time.</remarks>
public sealed class LocalSystemdMemberHost : SystemdMemberHost
{
    /// <summary>How long one step (a <c>systemctl</c> call, a save) may take by default: 60 seconds.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(60);

    /// <summary>Creates a host for this node's systemd-unit member.</summary>
    /// <param name="unit">The unit and its flag file.</param>
    /// <param name="commandTimeout">How long one step may take; <see cref="DefaultCommandTimeout"/> when <see langword="null"/>.</param>
    /// <param name="logger">Logs steps.</param>
    /// <param name="timeProvider">The clock for backup and archive names.</param>
    /// <exception cref="ArgumentException">The unit name or systemctl command is empty, or a path is not absolute.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive.</exception>
    public LocalSystemdMemberHost(SystemdUnitOptions unit, TimeSpan? commandTimeout = null, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(System.Net.Dns.GetHostName(), unit, commandTimeout, logger, timeProvider)
    {
    }

    private LocalSystemdMemberHost(string node, SystemdUnitOptions unit, TimeSpan? commandTimeout, ILogger? logger, TimeProvider? timeProvider)
        : base(node, Create(node, unit, commandTimeout, logger, timeProvider))
    {
    }

    private static SystemdUnitHost Create(string node, SystemdUnitOptions unit, TimeSpan? commandTimeout, ILogger? logger, TimeProvider? timeProvider)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var timeout = commandTimeout ?? DefaultCommandTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(commandTimeout));
        return new SystemdUnitHost(new LocalNodeShell(node, timeout, logger ?? NullLogger.Instance), unit, timeProvider ?? TimeProvider.System);
    }
}
