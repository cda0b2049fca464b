using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class KubeadmClusterConfigurationTests
{
    private const string V1Beta3 = """
        apiVersion: kubeadm.k8s.io/v1beta3
        kind: InitConfiguration
        localAPIEndpoint:
          advertiseAddress: 10.0.0.11
        ---
        apiVersion: kubeadm.k8s.io/v1beta3
        kind: ClusterConfiguration
        kubernetesVersion: v1.28.4
        controlPlaneEndpoint: cp.example:6443
        etcd:
          local:
            dataDir: /var/lib/etcd
            extraArgs:
              listen-metrics-urls: http://0.0.0.0:2381
              snapshot-count: "10000"
        networking:
          podSubnet: 10.244.0.0/16
        ---
        apiVersion: kubelet.config.k8s.io/v1beta1
        kind: KubeletConfiguration
        cgroupDriver: systemd

        """;

    private const string V1Beta4 = """
        apiVersion: kubeadm.k8s.io/v1beta4
        kind: ClusterConfiguration
        etcd:
          local:
            dataDir: /var/lib/etcd
            extraArgs:
            - name: listen-metrics-urls
              value: http://0.0.0.0:2381
            - name: snapshot-count
              value: "10000"
        kubernetesVersion: v1.31.0

        """;

    private const string ConfigMap = """
        apiVersion: v1
        data:
          ClusterConfiguration: |
            apiServer: {}
            apiVersion: kubeadm.k8s.io/v1beta4
            caCertificateValidityPeriod: 87600h0m0s
            certificatesDir: /etc/kubernetes/pki
            clusterName: kubernetes
            controllerManager: {}
            dns: {}
            etcd:
              local:
                dataDir: /var/lib/etcd
            imageRepository: registry.k8s.io
            kind: ClusterConfiguration
            kubernetesVersion: v1.31.2
            networking:
              dnsDomain: cluster.local
              serviceSubnet: 10.96.0.0/12
            proxy: {}
            scheduler: {}
        kind: ConfigMap
        metadata:
          name: kubeadm-config
          namespace: kube-system

        """;

    [Fact]
    public void V1Beta3_ReadsExtraArgsMap()
    {
        var config = KubeadmClusterConfiguration.Parse(ManifestSamples.Lf(V1Beta3));

        Assert.Equal("kubeadm.k8s.io/v1beta3", config.ApiVersion);
        Assert.False(config.UsesExtraArgsList);
        Assert.Equal("10000", config.GetFlag("snapshot-count"));
        Assert.Equal(15, config.GetFlags("snapshot-count")[0].Line);
    }

    [Fact]
    public void V1Beta3_SetQuota_AddsAQuotedStringEntryAndLeavesTheOtherDocumentsAlone()
    {
        var text = ManifestSamples.Lf(V1Beta3);
        var config = KubeadmClusterConfiguration.Parse(text);

        var edited = config.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8Gi"));

        Assert.Equal(text.Replace("      snapshot-count: \"10000\"\n", "      snapshot-count: \"10000\"\n      quota-backend-bytes: \"8589934592\"\n", StringComparison.Ordinal), edited.Text);
        Assert.Equal(new QuotaBackendBytes(8L << 30), edited.GetQuotaBackendBytes());
    }

    [Fact]
    public void V1Beta4_ReadsAndSetsNameValueItems()
    {
        var text = ManifestSamples.Lf(V1Beta4);
        var config = KubeadmClusterConfiguration.Parse(text);

        var edited = config.SetFlag("snapshot-count", "20000").SetQuotaBackendBytes(QuotaBackendBytes.Parse("4Gi"));

        Assert.True(config.UsesExtraArgsList);
        Assert.Equal(ManifestFlagSyntax.NameValueItem, config.Flags[0].Syntax);
        Assert.Equal(
            text.Replace("      value: \"10000\"\n", "      value: \"20000\"\n    - name: quota-backend-bytes\n      value: \"4294967296\"\n", StringComparison.Ordinal),
            edited.Text);
    }

    [Fact]
    public void V1Beta4_RemoveFlag_RemovesTheWholeItem()
    {
        var text = ManifestSamples.Lf(V1Beta4);

        var edited = KubeadmClusterConfiguration.Parse(text).RemoveFlag("listen-metrics-urls");

        Assert.Equal(text.Replace("    - name: listen-metrics-urls\n      value: http://0.0.0.0:2381\n", string.Empty, StringComparison.Ordinal), edited.Text);
    }

    [Fact]
    public void ConfigMap_SetQuota_AddsExtraArgsInsideTheLiteralBlockWithItsIndentation()
    {
        var text = ManifestSamples.Lf(ConfigMap);
        var config = KubeadmClusterConfiguration.Parse(text, "kubeadm-config.yaml");

        var edited = config.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8Gi"));

        Assert.True(config.IsEmbeddedInConfigMap);
        Assert.Equal(
            text.Replace("        dataDir: /var/lib/etcd\n", "        dataDir: /var/lib/etcd\n        extraArgs:\n        - name: quota-backend-bytes\n          value: \"8589934592\"\n", StringComparison.Ordinal),
            edited.Text);
        Assert.Equal("8589934592", edited.GetFlag("quota-backend-bytes"));
        Assert.Equal(15, edited.GetFlags("quota-backend-bytes")[0].Line);
    }

    [Fact]
    public void ConfigMapWithCrlf_EditInsideTheBlockKeepsCrlfAndIndentation()
    {
        var text = ManifestSamples.Lf(ConfigMap).ReplaceLineEndings("\r\n");

        var edited = KubeadmClusterConfiguration.Parse(text).SetFlag("snapshot-count", "10000").SetFlag("snapshot-count", "20000");

        Assert.Equal(
            text.Replace("        dataDir: /var/lib/etcd\r\n", "        dataDir: /var/lib/etcd\r\n        extraArgs:\r\n        - name: snapshot-count\r\n          value: \"20000\"\r\n", StringComparison.Ordinal),
            edited.Text);
    }

    [Fact]
    public void NoEtcdSection_AddsEtcdLocalExtraArgs()
    {
        var text = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\nnetworking:\n  podSubnet: 10.244.0.0/16\n";

        var edited = KubeadmClusterConfiguration.Parse(text).SetFlag("quota-backend-bytes", "8589934592");

        Assert.Equal(text + "etcd:\n  local:\n    extraArgs:\n      quota-backend-bytes: \"8589934592\"\n", edited.Text);
    }

    [Fact]
    public void EmptyFlowExtraArgs_IsReplacedByABlock()
    {
        var text = "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\netcd:\n  local:\n    extraArgs: {} # none yet\n    dataDir: /var/lib/etcd\n";

        var edited = KubeadmClusterConfiguration.Parse(text).SetFlag("snapshot-count", "10000");

        Assert.Equal("apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\netcd:\n  local:\n    extraArgs: # none yet\n      snapshot-count: \"10000\"\n    dataDir: /var/lib/etcd\n", edited.Text);
    }

    [Fact]
    public void ExternalEtcd_IsRefused()
    {
        var error = Assert.Throws<ManifestException>(() => KubeadmClusterConfiguration.Parse(
            "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\netcd:\n  external:\n    endpoints:\n    - https://10.0.0.5:2379\n"));

        Assert.Equal(ManifestErrorCode.ExternalEtcd, error.ErrorCode);
        Assert.Equal(4, error.Line);
    }

    [Fact]
    public void WrongShapeForVersion_IsRefused()
    {
        var error = Assert.Throws<ManifestException>(() => KubeadmClusterConfiguration.Parse(
            "apiVersion: kubeadm.k8s.io/v1beta4\nkind: ClusterConfiguration\netcd:\n  local:\n    extraArgs:\n      snapshot-count: \"1\"\n"));

        Assert.Equal(ManifestErrorCode.UnsupportedLayout, error.ErrorCode);
        Assert.Contains("list", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NotKubeadm_IsRefused()
    {
        var error = Assert.Throws<ManifestException>(() => KubeadmClusterConfiguration.Parse(ManifestSamples.Kubeadm));

        Assert.Equal(ManifestErrorCode.NotAClusterConfiguration, error.ErrorCode);
    }

    [Fact]
    public void SameQuotaInManifestAndKubeadm_BothReadTheSameValue()
    {
        var quota = QuotaBackendBytes.Parse("6Gi");

        var manifest = EtcdManifest.Parse(ManifestSamples.Lf(ManifestSamples.Kubeadm)).SetQuotaBackendBytes(quota);
        var kubeadm = KubeadmClusterConfiguration.Parse(ManifestSamples.Lf(V1Beta4)).SetQuotaBackendBytes(quota);

        Assert.Equal(manifest.GetQuotaBackendBytes(), kubeadm.GetQuotaBackendBytes());
        Assert.Contains(manifest.Notices, n => n.Code == ManifestNoticeCode.KubeadmRegeneratesManifest);
    }
}
