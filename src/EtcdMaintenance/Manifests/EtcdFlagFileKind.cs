namespace EtcdMaintenance.Manifests;

/// <summary>Which kind of file holds etcd's flags (see <see cref="EtcdFlagFile.Load"/>).</summary>
public enum EtcdFlagFileKind
{
    /// <summary>A static-pod manifest (<see cref="EtcdManifest"/>), e.g. kubeadm's <c>/etc/kubernetes/manifests/etcd.yaml</c>.</summary>
    StaticPodManifest = 1,

    /// <summary>A kubeadm ClusterConfiguration or saved kubeadm-config ConfigMap (<see cref="KubeadmClusterConfiguration"/>).</summary>
    KubeadmClusterConfiguration,

    /// <summary>etcd's own configuration file, the one <c>--config-file</c> names (<see cref="EtcdConfigFile"/>).</summary>
    EtcdConfigFile,

    /// <summary>A systemd environment file of <c>ETCD_*</c> variables (<see cref="EtcdEnvironmentFile"/>), e.g. kubespray's <c>/etc/etcd.env</c>.</summary>
    EnvironmentFile,
}
