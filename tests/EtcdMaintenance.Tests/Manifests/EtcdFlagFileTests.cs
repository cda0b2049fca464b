using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

/// <summary>The non-generic API: one Load/Parse that recognises the kind, and the same edits whatever it is.</summary>
public sealed class EtcdFlagFileTests
{
    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata:
          name: etcd
          namespace: kube-system
        spec:
          containers:
          - name: etcd
            command:
            - etcd
            - --name=n1
            - --quota-backend-bytes=2147483648
        """;

    private const string Kubeadm = """
        apiVersion: kubeadm.k8s.io/v1beta3
        kind: ClusterConfiguration
        etcd:
          local:
            extraArgs:
              quota-backend-bytes: "2147483648"
        """;

    private const string Config = """
        name: n1
        quota-backend-bytes: 2147483648
        """;

    private const string Env = """
        ETCD_NAME=n1
        ETCD_QUOTA_BACKEND_BYTES=2147483648
        """;

    public static TheoryData<string, EtcdFlagFileKind, Type> Kinds => new()
    {
        { Pod, EtcdFlagFileKind.StaticPodManifest, typeof(EtcdManifest) },
        { Kubeadm, EtcdFlagFileKind.KubeadmClusterConfiguration, typeof(KubeadmClusterConfiguration) },
        { Config, EtcdFlagFileKind.EtcdConfigFile, typeof(EtcdConfigFile) },
        { Env, EtcdFlagFileKind.EnvironmentFile, typeof(EtcdEnvironmentFile) },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Parse_RecognisesTheKind_AndEditsTheQuotaTheSameWay(string text, EtcdFlagFileKind kind, Type type)
    {
        var document = EtcdFlagFile.Parse(ManifestSamples.Lf(text), "file");

        Assert.Equal(kind, document.Kind);
        Assert.IsType(type, document);
        Assert.False(string.IsNullOrEmpty(document.Description));
        Assert.Equal(new QuotaBackendBytes(2L << 30), document.GetQuotaBackendBytes());

        var edited = document.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8GiB"));

        Assert.IsType(type, edited);
        Assert.Equal(new QuotaBackendBytes(8L << 30), edited.GetQuotaBackendBytes());
        Assert.Equal(ManifestSamples.Lf(text).Replace("2147483648", "8589934592", StringComparison.Ordinal), edited.Text);
    }

    [Fact]
    public async Task Load_EnvironmentFile_SavesThroughManifestFile()
    {
        var directory = Directory.CreateTempSubdirectory("etcd-env-");
        try
        {
            var path = Path.Combine(directory.CreateSubdirectory("etc").FullName, "etcd.env");
            await File.WriteAllTextAsync(path, "# kubespray\nETCD_NAME=n1\nETCD_QUOTA_BACKEND_BYTES=2147483648\n");

            var edited = EtcdFlagFile.Load(path).SetQuotaBackendBytes(QuotaBackendBytes.Parse("4GiB"));
            var saved = await ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = Path.Combine(directory.FullName, "backups") });

            Assert.True(saved.Written);
            Assert.Equal("# kubespray\nETCD_NAME=n1\nETCD_QUOTA_BACKEND_BYTES=4294967296\n", await File.ReadAllTextAsync(path));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public void Parse_NeitherKind_SaysWhyItIsNotAConfigFile()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdFlagFile.Parse("just: text\n", "x.yaml"));

        Assert.Equal(ManifestErrorCode.NotAnEtcdConfigFile, error.ErrorCode);
    }
}
