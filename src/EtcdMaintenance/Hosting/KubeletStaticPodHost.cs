using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Hosting;

/// <summary>How <see cref="KubeletStaticPodHost"/> stops etcd.</summary>
public enum KubeletStopMode
{
    /// <summary>
    /// Move the manifest out of the kubelet manifests directory (kubelet then stops the pod) and back to start it.
    /// Leaves kubelet and the other static pods running.
    /// </summary>
    MoveManifest,

    /// <summary>Stop kubelet (<c>systemctl stop kubelet</c>) and the etcd container (<c>crictl stop</c>), as the field does by hand; start kubelet to start it.</summary>
    StopKubelet,
}

/// <summary>
/// The etcd member of this node, run by kubelet as a static pod from <c>/etc/kubernetes/manifests/etcd.yaml</c>.
/// Saving the manifest makes kubelet restart the pod. Stopping moves the manifest to a parking directory outside the
/// manifests directory (kubelet runs every file in it, so nothing of ours is ever left there), or stops kubelet.
/// </summary>
public sealed class KubeletStaticPodHost : IEtcdMemberHost
{
    /// <summary>kubeadm's etcd manifest.</summary>
    public const string DefaultManifestPath = "/etc/kubernetes/manifests/etcd.yaml";

    /// <summary>Where a stopped member's manifest is parked by default.</summary>
    public const string DefaultParkingDirectory = "/etc/kubernetes/etcd-maintenance/parked";

    private readonly KubeletStopMode _stopMode;
    private readonly ManifestSaveOptions _saveOptions;
    private readonly TimeProvider _timeProvider;
    private readonly LocalNodeShell _shell;

    /// <summary>Creates a host for this node's etcd static pod.</summary>
    /// <param name="manifestPath">The static-pod manifest.</param>
    /// <param name="stopMode">How to stop etcd.</param>
    /// <param name="parkingDirectory">Where the manifest waits while the member is stopped; must be outside the manifests directory.</param>
    /// <param name="saveOptions">Backup settings for manifest saves (backups always go outside the manifests directory).</param>
    /// <param name="timeProvider">The clock for archive names.</param>
    /// <exception cref="ArgumentException">The parking directory is the manifests directory or inside it.</exception>
    public KubeletStaticPodHost(
        string manifestPath = DefaultManifestPath,
        KubeletStopMode stopMode = KubeletStopMode.MoveManifest,
        string parkingDirectory = DefaultParkingDirectory,
        ManifestSaveOptions? saveOptions = null,
        TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        ArgumentException.ThrowIfNullOrEmpty(parkingDirectory);
        ManifestPath = Path.GetFullPath(manifestPath);
        var manifestsDirectory = Path.GetDirectoryName(ManifestPath)!;
        var parking = Path.GetFullPath(parkingDirectory);
        if (IsSameOrInside(parking, manifestsDirectory))
        {
            throw new ArgumentException($"The parking directory {parking} is inside the kubelet manifests directory {manifestsDirectory}: kubelet would run the parked manifest. Choose a directory outside it.", nameof(parkingDirectory));
        }

        ParkedManifestPath = Path.Combine(parking, Path.GetFileName(ManifestPath));
        _stopMode = stopMode;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _saveOptions = saveOptions ?? new ManifestSaveOptions { TimeProvider = _timeProvider };
        Name = System.Net.Dns.GetHostName();
        _shell = new LocalNodeShell(Name, LocalSystemdMemberHost.DefaultCommandTimeout, NullLogger.Instance);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string ManifestPath { get; }

    /// <summary>Where the manifest is while the member is stopped with <see cref="KubeletStopMode.MoveManifest"/>.</summary>
    public string ParkedManifestPath { get; }

    /// <inheritdoc />
    public bool RestartsOnManifestChange => true;

    private string CurrentManifestPath => !File.Exists(ManifestPath) && File.Exists(ParkedManifestPath) ? ParkedManifestPath : ManifestPath;

    /// <inheritdoc />
    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<EtcdFlagFile>(EtcdManifest.Load(CurrentManifestPath));

    /// <inheritdoc />
    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return ManifestFile.SaveAsync(manifest, _saveOptions.ForSave(dryRun), cancellationToken);
    }

    /// <inheritdoc />
    public Task ApplyManifestAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => _stopMode switch
    {
        KubeletStopMode.MoveManifest => File.Exists(ManifestPath),
        _ => File.Exists(ManifestPath) && (await _shell.RunAsync("check kubelet active", "systemctl is-active --quiet kubelet", cancellationToken).ConfigureAwait(false)).ExitCode == 0,
    };

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">With <see cref="KubeletStopMode.StopKubelet"/>: <c>systemctl</c> or <c>crictl</c> failed or timed out (naming the step).</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (_stopMode == KubeletStopMode.MoveManifest)
        {
            if (File.Exists(ManifestPath))
            {
                Directory.CreateDirectory(Path.GetDirectoryName(ParkedManifestPath)!);
                File.Move(ManifestPath, ParkedManifestPath, overwrite: false);
            }

            return;
        }

        await RunAsync("stop kubelet", "systemctl stop kubelet", cancellationToken).ConfigureAwait(false);
        await RunAsync("stop etcd container", "ids=$(crictl ps --name '^etcd$' -q); [ -z \"$ids\" ] || crictl stop $ids", cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">With <see cref="KubeletStopMode.StopKubelet"/>: <c>systemctl start kubelet</c> failed or timed out.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (!File.Exists(ManifestPath) && File.Exists(ParkedManifestPath))
        {
            File.Move(ParkedManifestPath, ManifestPath, overwrite: false);
        }

        if (_stopMode == KubeletStopMode.StopKubelet)
        {
            await RunAsync("start kubelet", "systemctl start kubelet", cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default) =>
        Task.FromResult(DataDirectories.Archive(dataDirectory, _timeProvider));

    private static bool IsSameOrInside(string path, string directory)
    {
        var relative = Path.GetRelativePath(directory, path);
        return relative == "." || (!relative.StartsWith("..", StringComparison.Ordinal) && !Path.IsPathRooted(relative));
    }

    private async Task RunAsync(string step, string script, CancellationToken cancellationToken) =>
        RemoteFlagFile.Expect(Name, step, await _shell.RunAsync(step, script, cancellationToken).ConfigureAwait(false));
}
