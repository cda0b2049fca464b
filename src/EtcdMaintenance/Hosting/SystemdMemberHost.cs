using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// A member run by a systemd unit (as kubespray runs etcd): what <see cref="LocalSystemdMemberHost"/> (on the member's
/// own node) and <see cref="SshSystemdMemberHost"/> (over SSH) share. Stopping and starting run
/// <c>systemctl stop|start UNIT</c>, which wait for the unit; the flags are in the unit's environment file
/// (<c>/etc/etcd.env</c>, <c>ETCD_QUOTA_BACKEND_BYTES=...</c>) or in etcd's configuration file, edited with the
/// format-preserving editors and saved atomically: written to a staging directory on the same filesystem, given the old
/// file's mode and owner, renamed into place, with an owner-only backup elsewhere. Saving does not restart the member:
/// <see cref="ApplyManifestAsync"/> restarts the unit.
/// </summary>
/// <remarks>Not thread-safe for concurrent operations on one member: one operation drives a host at a time.</remarks>
public abstract class SystemdMemberHost : IEtcdMemberHost
{
    private protected SystemdMemberHost(string name, SystemdUnitHost strategy)
    {
        Name = name;
        Strategy = strategy;
    }

    /// <inheritdoc />
    /// <remarks>The node's name: the host name or address reached over SSH, or this node's host name.</remarks>
    public string Name { get; }

    /// <inheritdoc />
    /// <remarks>The unit's flag file (<see cref="SystemdUnitOptions.FlagFilePath"/>).</remarks>
    public string ManifestPath => Strategy.FlagFilePath;

    /// <summary>The unit, e.g. <c>etcd.service</c>.</summary>
    public string Unit => Strategy.Unit;

    /// <inheritdoc />
    public bool RestartsOnManifestChange => false;

    /// <summary>The shared systemd strategy, for plans.</summary>
    internal SystemdUnitHost Strategy { get; }

    /// <inheritdoc />
    /// <remarks>First checks that systemd has the unit loaded (<c>systemctl show --property=LoadState</c>).</remarks>
    /// <exception cref="EtcdHostException">The node cannot be reached, the unit is not loaded (<see cref="EtcdHostErrorCode.CommandFailed"/>), or the flag file is missing (<see cref="EtcdHostErrorCode.ManifestMissing"/>) or cannot be read.</exception>
    /// <exception cref="ManifestException">The file holds none of etcd's flags.</exception>
    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) => Strategy.LoadAsync(cancellationToken);

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">The file changed on the node since it was loaded (<see cref="EtcdHostErrorCode.ManifestChangedOnNode"/>), or a step failed; the file is then untouched.</exception>
    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default) =>
        Strategy.SaveAsync(manifest, dryRun, cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl restart UNIT</c>.</remarks>
    /// <exception cref="EtcdHostException">systemctl failed (<see cref="EtcdHostErrorCode.CommandFailed"/>) or timed out.</exception>
    public Task ApplyManifestAsync(CancellationToken cancellationToken = default) => Strategy.SystemctlAsync("restart", cancellationToken);

    /// <inheritdoc />
    /// <remarks><c>systemctl is-active --quiet UNIT</c>.</remarks>
    public Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => Strategy.IsActiveAsync(cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl stop UNIT</c>, which returns once the unit has stopped.</remarks>
    /// <exception cref="EtcdHostException">systemctl failed (<see cref="EtcdHostErrorCode.CommandFailed"/>) or timed out.</exception>
    public Task StopAsync(CancellationToken cancellationToken = default) => Strategy.SystemctlAsync("stop", cancellationToken);

    /// <inheritdoc />
    /// <remarks>Runs <c>systemctl start UNIT</c>.</remarks>
    /// <exception cref="EtcdHostException">systemctl failed (<see cref="EtcdHostErrorCode.CommandFailed"/>) or timed out.</exception>
    public Task StartAsync(CancellationToken cancellationToken = default) => Strategy.SystemctlAsync("start", cancellationToken);

    /// <inheritdoc />
    /// <remarks>As <see cref="SshEtcdMemberHost.ArchiveDataDirectoryAsync"/>; refused while the unit is active.</remarks>
    /// <exception cref="EtcdHostException">The unit is active (<see cref="EtcdHostErrorCode.MemberRunning"/>) or the target exists (<see cref="EtcdHostErrorCode.TargetExists"/>): nothing is moved.</exception>
    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default) =>
        Strategy.ArchiveDataDirectoryAsync(dataDirectory, cancellationToken);
}
