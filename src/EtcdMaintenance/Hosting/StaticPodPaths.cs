namespace EtcdMaintenance.Hosting;

/// <summary>
/// Where a kubeadm static-pod member's manifest is on its node, and where this library keeps its own files there: by
/// default in <c>etcd-maintenance/</c> beside the manifests directory (<c>/etc/kubernetes/etcd-maintenance/</c> for
/// kubeadm), outside the directory kubelet runs every file of, and on the manifest's filesystem.
/// </summary>
public sealed class StaticPodPaths
{
    /// <summary>The static-pod manifest.</summary>
    /// <value><see cref="KubeletStaticPodHost.DefaultManifestPath"/> by default.</value>
    public string ManifestPath { get; init; } = KubeletStaticPodHost.DefaultManifestPath;

    /// <summary>Where the manifest waits while the member is stopped; outside the manifests directory, on the same filesystem.</summary>
    /// <value><see langword="null"/> by default: <c>etcd-maintenance/parked</c> beside the manifests directory.</value>
    public string? ParkingDirectory { get; init; }

    /// <summary>Where a new manifest is written before it is renamed into place; outside the manifests directory, on the same filesystem.</summary>
    /// <value><see langword="null"/> by default: <c>etcd-maintenance/staging</c> beside the manifests directory.</value>
    public string? StagingDirectory { get; init; }

    /// <summary>Where owner-only backups of replaced manifests go; outside the manifests directory.</summary>
    /// <value><see langword="null"/> by default: <c>etcd-maintenance/backups</c> beside the manifests directory.</value>
    public string? BackupDirectory { get; init; }

    internal string Parking => ParkingDirectory ?? Beside("parked");

    internal string Staging => StagingDirectory ?? Beside("staging");

    internal string Backups => BackupDirectory ?? Beside("backups");

    private string Beside(string name) => RemotePath.Combine(RemotePath.Combine(RemotePath.Directory(RemotePath.Directory(ManifestPath)), "etcd-maintenance"), name);
}
