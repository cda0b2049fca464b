using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// A member run by a systemd unit on another node (as kubespray runs etcd), reached over SSH. Stopping and starting run
/// <c>systemctl stop|start UNIT</c> (which wait for the unit); the flags are in the unit's environment file
/// (<c>/etc/etcd.env</c>, <c>ETCD_QUOTA_BACKEND_BYTES=...</c>) or in etcd's configuration file, edited in place with the
/// same format-preserving editors as manifests and saved as <see cref="SshEtcdMemberHost"/> saves manifests: written to a
/// staging directory on the same filesystem, given the old file's mode and owner, renamed into place, with an owner-only
/// backup elsewhere. Saving does not restart the member: <see cref="ApplyManifestAsync"/> restarts the unit.
/// </summary>
/// <remarks>Not thread-safe for concurrent operations on one member: one operation drives a host at a time.</remarks>
public sealed class SshSystemdMemberHost : IEtcdMemberHost, IAsyncDisposable
{
    private readonly SshNodeShell _shell;
    private readonly SystemdUnitHost _host;

    /// <summary>Creates a host for the systemd-unit member on <paramref name="node"/>.</summary>
    /// <param name="node">The node's host name or address (see <see cref="SshEtcdMemberHost.NodeOf"/>).</param>
    /// <param name="ssh">How to log in.</param>
    /// <param name="unit">The unit and its flag file.</param>
    /// <param name="logger">Logs steps and accepted host keys.</param>
    /// <param name="timeProvider">The clock for backup and archive names.</param>
    /// <exception cref="ArgumentException">The unit name is empty, or a path is not absolute.</exception>
    public SshSystemdMemberHost(string node, SshConnectionOptions ssh, SystemdUnitOptions unit, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(ssh);
        ArgumentNullException.ThrowIfNull(unit);
        _shell = new SshNodeShell(node, ssh, logger ?? NullLogger.Instance);
        _host = new SystemdUnitHost(_shell, unit, timeProvider ?? TimeProvider.System);
        Name = node;
    }

    /// <inheritdoc />
    /// <remarks>The node.</remarks>
    public string Name { get; }

    /// <inheritdoc />
    /// <remarks>The unit's flag file (<see cref="SystemdUnitOptions.FlagFilePath"/>).</remarks>
    public string ManifestPath => _host.FlagFilePath;

    /// <summary>The unit, e.g. <c>etcd.service</c>.</summary>
    public string Unit => _host.Unit;

    /// <inheritdoc />
    public bool RestartsOnManifestChange => false;

    /// <inheritdoc />
    /// <remarks>First checks that systemd has the unit loaded (<c>systemctl show --property=LoadState</c>).</remarks>
    /// <exception cref="EtcdHostException">The node cannot be reached, the unit is not loaded (<see cref="EtcdHostErrorCode.CommandFailed"/>), or the flag file is missing (<see cref="EtcdHostErrorCode.ManifestMissing"/>).</exception>
    /// <exception cref="ManifestException">The file holds none of etcd's flags.</exception>
    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) =>
        _host.LoadAsync(cancellationToken);

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">The file changed on the node since it was loaded (<see cref="EtcdHostErrorCode.ManifestChangedOnNode"/>), or a step failed; the file is then untouched.</exception>
    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default) =>
        _host.SaveAsync(manifest, dryRun, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl restart UNIT</c>.</remarks>
    public Task ApplyManifestAsync(CancellationToken cancellationToken = default) => _host.SystemctlAsync("restart", cancellationToken);

    /// <inheritdoc />
    /// <remarks><c>systemctl is-active --quiet UNIT</c>.</remarks>
    public Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => _host.IsActiveAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl stop UNIT</c>, which returns once the unit has stopped.</remarks>
    public Task StopAsync(CancellationToken cancellationToken = default) => _host.SystemctlAsync("stop", cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl start UNIT</c>.</remarks>
    public Task StartAsync(CancellationToken cancellationToken = default) => _host.SystemctlAsync("start", cancellationToken);

    /// <inheritdoc />
    /// <remarks>As <see cref="SshEtcdMemberHost.ArchiveDataDirectoryAsync"/>; refused while the unit is active.</remarks>
    /// <exception cref="EtcdHostException">The unit is active (<see cref="EtcdHostErrorCode.MemberRunning"/>) or the target exists (<see cref="EtcdHostErrorCode.TargetExists"/>): nothing is moved.</exception>
    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default) =>
        _host.ArchiveDataDirectoryAsync(dataDirectory, cancellationToken);

    /// <summary>Closes the SSH connection.</summary>
    public ValueTask DisposeAsync() => _shell.DisposeAsync();

    /// <summary>The shared systemd strategy, for plans.</summary>
    internal SystemdUnitHost Strategy => _host;
}
