namespace EtcdMaintenance.Hosting;

/// <summary>How etcd runs behind a member host, as journals record it so that a resumed run drives the member the same way.</summary>
internal static class MemberHostRunMode
{
    /// <summary>A kubeadm static pod (kubelet runs the manifest), on this node or reached over SSH.</summary>
    public const string KubeadmStaticPod = "kubeadm-static-pod";

    /// <summary>A plain process started from the manifest's command line.</summary>
    public const string LocalProcess = "local-process";

    /// <summary>A systemd unit (its flags in an environment or configuration file), on this node or reached over SSH.</summary>
    public const string SystemdUnit = "systemd-unit";

    public static string Of(IEtcdMemberHost host) => host switch
    {
        KubeletStaticPodHost or SshEtcdMemberHost => KubeadmStaticPod,
        LocalProcessEtcdHost => LocalProcess,
        SshSystemdMemberHost or LocalSystemdMemberHost => SystemdUnit,
        _ => host.GetType().Name,
    };
}
