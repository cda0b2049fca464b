using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// This node's member, run by a systemd unit (as kubespray runs etcd), for a tool that runs on the member's own node.
/// The same strategy as <see cref="SshSystemdMemberHost"/>, without SSH: stopping and starting run
/// <c>systemctl stop|start UNIT</c> here (as the current user: root, or one allowed to manage the unit and edit its
/// files); the flags are in the unit's environment file (<c>/etc/etcd.env</c>, <c>ETCD_QUOTA_BACKEND_BYTES=...</c>) or in
/// etcd's configuration file, edited with the format-preserving editors and saved atomically: written to a staging
/// directory on the same filesystem, given the old file's mode and owner, renamed into place, with an owner-only backup
/// elsewhere. Saving does not restart the member: <see cref="ApplyManifestAsync"/> restarts the unit.
/// </summary>
/// <remarks>Not thread-safe for concurrent operations on one member: one operation drives a host at a time.</remarks>
public sealed class LocalSystemdMemberHost : IEtcdMemberHost
{
    /// <summary>How long one step (a <c>systemctl</c> call, a save) may take by default: 60 seconds.</summary>
    public static readonly TimeSpan DefaultCommandTimeout = TimeSpan.FromSeconds(60);

    private readonly SystemdUnitHost _host;

    /// <summary>Creates a host for this node's systemd-unit member.</summary>
    /// <param name="unit">The unit and its flag file.</param>
    /// <param name="commandTimeout">How long one step may take; <see cref="DefaultCommandTimeout"/> when <see langword="null"/>.</param>
    /// <param name="logger">Logs steps.</param>
    /// <param name="timeProvider">The clock for backup and archive names.</param>
    /// <exception cref="ArgumentException">The unit name or systemctl command is empty, or a path is not absolute.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The timeout is not positive.</exception>
    public LocalSystemdMemberHost(SystemdUnitOptions unit, TimeSpan? commandTimeout = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(unit);
        var timeout = commandTimeout ?? DefaultCommandTimeout;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(timeout, TimeSpan.Zero, nameof(commandTimeout));
        Name = System.Net.Dns.GetHostName();
        _host = new SystemdUnitHost(new LocalNodeShell(Name, timeout, logger ?? NullLogger.Instance), unit, timeProvider ?? TimeProvider.System);
    }

    /// <inheritdoc />
    /// <remarks>This node's host name.</remarks>
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
    /// <exception cref="EtcdHostException">The unit is not loaded (<see cref="EtcdHostErrorCode.CommandFailed"/>), or the flag file is missing (<see cref="EtcdHostErrorCode.ManifestMissing"/>) or cannot be read.</exception>
    /// <exception cref="ManifestException">The file holds none of etcd's flags.</exception>
    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) => _host.LoadAsync(cancellationToken);

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">The file changed since it was loaded (<see cref="EtcdHostErrorCode.ManifestChangedOnNode"/>), or a step failed; the file is then untouched.</exception>
    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default) =>
        _host.SaveAsync(manifest, dryRun, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl restart UNIT</c>.</remarks>
    /// <exception cref="EtcdHostException">systemctl failed (<see cref="EtcdHostErrorCode.CommandFailed"/>) or timed out.</exception>
    public Task ApplyManifestAsync(CancellationToken cancellationToken = default) => _host.SystemctlAsync("restart", cancellationToken);

    /// <inheritdoc />
    /// <remarks><c>systemctl is-active --quiet UNIT</c>.</remarks>
    public Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => _host.IsActiveAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl stop UNIT</c>, which returns once the unit has stopped.</remarks>
    /// <exception cref="EtcdHostException">systemctl failed (<see cref="EtcdHostErrorCode.CommandFailed"/>) or timed out.</exception>
    public Task StopAsync(CancellationToken cancellationToken = default) => _host.SystemctlAsync("stop", cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl start UNIT</c>.</remarks>
    /// <exception cref="EtcdHostException">systemctl failed (<see cref="EtcdHostErrorCode.CommandFailed"/>) or timed out.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => _host.SystemctlAsync("start", cancellationToken);

    /// <inheritdoc />
    /// <remarks>As <see cref="SshEtcdMemberHost.ArchiveDataDirectoryAsync"/>; refused while the unit is active.</remarks>
    /// <exception cref="EtcdHostException">The unit is active (<see cref="EtcdHostErrorCode.MemberRunning"/>) or the target exists (<see cref="EtcdHostErrorCode.TargetExists"/>): nothing is moved.</exception>
    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default) =>
        _host.ArchiveDataDirectoryAsync(dataDirectory, cancellationToken);

    /// <summary>The shared systemd strategy, for plans.</summary>
    internal SystemdUnitHost Strategy => _host;
}
