using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// What a library cannot do over etcd's API: stop and start one member, move its data dir aside, read and write the
/// manifest that holds its etcd command line. One implementation per way etcd is run and where: a kubeadm static pod
/// (<see cref="KubeletStaticPodHost"/> on this node, <see cref="SshEtcdMemberHost"/> over SSH), a systemd unit
/// (<see cref="LocalSystemdMemberHost"/>, <see cref="SshSystemdMemberHost"/>) and a plain local process
/// (<see cref="LocalProcessEtcdHost"/>: bare metal and tests). Callers with an agent implement the same interface.
/// </summary>
/// <remarks>Every method is idempotent: stopping a stopped member or starting a started one does nothing.</remarks>
public interface IEtcdMemberHost
{
    /// <summary>A name for messages, plans and journals (e.g. the node or the member name).</summary>
    string Name { get; }

    /// <summary>Where the member's manifest is kept while the member runs.</summary>
    string ManifestPath { get; }

    /// <summary>
    /// Whether saving the manifest restarts the member by itself (kubelet watches static-pod manifests); when
    /// <see langword="false"/>, <see cref="ApplyManifestAsync"/> restarts it.
    /// </summary>
    bool RestartsOnManifestChange { get; }

    /// <summary>
    /// Loads the member's manifest (wherever it is kept while the member is stopped): the document that holds its flags, a
    /// static-pod manifest, an etcd configuration file or a systemd environment file; operations edit it through
    /// <see cref="EtcdFlagFile"/> whatever its kind.
    /// </summary>
    Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default);

    /// <summary>Saves an edited manifest safely (backup outside the kubelet directory, atomic replace); a dry run only returns the diff.</summary>
    Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default);

    /// <summary>Makes the member run with its saved manifest: nothing for a static pod (kubelet restarts it), a restart for a local process.</summary>
    Task ApplyManifestAsync(CancellationToken cancellationToken = default);

    /// <summary>Whether the member is meant to run (its static-pod manifest is in place; its local process is alive).</summary>
    Task<bool> IsStartedAsync(CancellationToken cancellationToken = default);

    /// <summary>Stops the member (and waits for a local process to exit).</summary>
    Task StopAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts the member from its manifest.</summary>
    Task StartAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Moves a data dir aside (renamed with a timestamp next to where it was; never deleted), so that the member starts
    /// empty. Returns where it went, or <see langword="null"/> when there was no data dir.
    /// </summary>
    Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default);
}
