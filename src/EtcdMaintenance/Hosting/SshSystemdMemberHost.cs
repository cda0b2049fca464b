using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// A member run by a systemd unit on another node, reached over SSH: the strategy of <see cref="SystemdMemberHost"/>,
/// with <c>systemctl</c> run on the node and files saved there as <see cref="SshEtcdMemberHost"/> saves manifests.
/// </summary>
/// <remarks>Not thread-safe for concurrent operations on one member: one operation drives a host at a time.</remarks>
public sealed class SshSystemdMemberHost : SystemdMemberHost, IAsyncDisposable
{
    private readonly SshNodeShell _shell;

    /// <summary>Creates a host for the systemd-unit member on <paramref name="node"/>.</summary>
    /// <param name="node">The node's host name or address (see <see cref="SshEtcdMemberHost.NodeOf"/>).</param>
    /// <param name="ssh">How to log in.</param>
    /// <param name="unit">The unit and its flag file.</param>
    /// <param name="logger">Logs steps and accepted host keys.</param>
    /// <param name="timeProvider">The clock for backup and archive names.</param>
    /// <exception cref="ArgumentException">The unit name is empty, or a path is not absolute.</exception>
    public SshSystemdMemberHost(string node, SshConnectionOptions ssh, SystemdUnitOptions unit, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(node, Shell(node, ssh, unit, logger), unit, timeProvider)
    {
    }

    private SshSystemdMemberHost(string node, SshNodeShell shell, SystemdUnitOptions unit, TimeProvider? timeProvider)
        : base(node, new SystemdUnitHost(shell, unit, timeProvider ?? TimeProvider.System))
    {
        _shell = shell;
    }

    /// <summary>Closes the SSH connection.</summary>
    public ValueTask DisposeAsync() => _shell.DisposeAsync();

    private static SshNodeShell Shell(string node, SshConnectionOptions ssh, SystemdUnitOptions unit, ILogger? logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(ssh);
        ArgumentNullException.ThrowIfNull(unit);
        return new SshNodeShell(node, ssh, logger ?? NullLogger.Instance);
    }
}
