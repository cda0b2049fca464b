using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

/// <summary>Values etcd would refuse, or take to mean something harmful, are refused before anything is written, with the reason.</summary>
public sealed class ManifestValueSafetyTests
{
    private static EtcdManifest Manifest => EtcdManifest.Parse(ManifestSamples.Kubeadm, "etcd.yaml");

    [Theory]
    [InlineData("quota-backend-bytes", "abc", "not a whole number")]
    [InlineData("quota-backend-bytes", "8Gi", "did you mean 8589934592?")]
    [InlineData("snapshot-count", "ten", "unsigned integer")]
    [InlineData("snapshot-count", "-5", "unsigned integer")]
    [InlineData("heartbeat-interval", "100ms", "unsigned integer")]
    [InlineData("client-cert-auth", "yes", "not a boolean")]
    [InlineData("grpc-keepalive-min-time", "5", "Go duration")]
    [InlineData("backend-batch-interval", "soon", "Go duration")]
    [InlineData("advertise-client-urls", "10.0.0.1:2379", "comma-separated URLs")]
    [InlineData("listen-client-urls", "https://127.0.0.1:2379,ftp://x:1", "comma-separated URLs")]
    [InlineData("initial-cluster-state", "old", "new, existing")]
    [InlineData("auto-compaction-mode", "daily", "periodic, revision")]
    [InlineData("log-level", "verbose", "debug, info")]
    [InlineData("initial-cluster", "n1", "name=peer-url")]
    [InlineData("auto-compaction-retention", "a week", "Go duration")]
    public void SetFlag_ValueOfTheWrongType_IsRefusedWithTheReason_UnlessForced(string flag, string value, string reason)
    {
        var manifest = Manifest;

        var error = Assert.Throws<ManifestException>(() => manifest.SetFlag(flag, value));

        Assert.Equal(ManifestErrorCode.InvalidFlagValue, error.ErrorCode);
        Assert.Equal(flag, error.Flag);
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
        Assert.StartsWith("etcd.yaml", error.Message, StringComparison.Ordinal);
        Assert.Equal(value, manifest.SetFlag(flag, value, force: true).GetFlag(flag));
    }

    [Theory]
    [InlineData("snapshot-count", "20000")]
    [InlineData("client-cert-auth", "false")]
    [InlineData("grpc-keepalive-min-time", "1h30m")]
    [InlineData("advertise-client-urls", "https://10.0.0.1:2379,https://10.0.0.2:2379")]
    [InlineData("initial-cluster-state", "existing")]
    [InlineData("auto-compaction-retention", "8")]
    [InlineData("quota-backend-bytes", "0")]
    [InlineData("quota-backend-bytes", "1048576")]
    [InlineData("log-outputs", "stderr")]
    public void SetFlag_ValueOfTheRightType_IsWritten(string flag, string value)
    {
        Assert.Equal(value, Manifest.SetFlag(flag, value).GetFlag(flag));
    }

    [Theory]
    [InlineData("quota-backend-byte")]
    [InlineData("snapshotcount")]
    [InlineData("experimental-no-such-thing")]
    public void SetFlag_UnknownFlag_IsRefused_UnlessForced(string flag)
    {
        var error = Assert.Throws<ManifestException>(() => Manifest.SetFlag(flag, "1"));

        Assert.Equal(ManifestErrorCode.UnknownFlag, error.ErrorCode);
        Assert.Contains("not an etcd flag", error.Message, StringComparison.Ordinal);
        Assert.Equal("1", Manifest.SetFlag(flag, "1", force: true).GetFlag(flag));
    }

    [Theory]
    [InlineData("8")]
    [InlineData("1048575")]
    [InlineData("-1")]
    public void SetFlag_QuotaUnderOneMiBOrNegative_IsRefused_UnlessForced(string value)
    {
        var error = Assert.Throws<ManifestException>(() => Manifest.SetFlag("quota-backend-bytes", value));

        Assert.Equal(ManifestErrorCode.QuotaBelowMinimum, error.ErrorCode);
        Assert.Equal(value, Manifest.SetFlag("quota-backend-bytes", value, force: true).GetFlag("quota-backend-bytes"));
    }

    [Fact]
    public void SetQuotaBackendBytes_EightBytes_IsRefused_UnlessForced()
    {
        var error = Assert.Throws<ManifestException>(() => Manifest.SetQuotaBackendBytes(new QuotaBackendBytes(8)));

        Assert.Equal(ManifestErrorCode.QuotaBelowMinimum, error.ErrorCode);
        Assert.Contains("under 1 MiB", error.Message, StringComparison.Ordinal);
        Assert.Equal(8, Manifest.SetQuotaBackendBytes(new QuotaBackendBytes(8), new QuotaChangeOptions { Force = true }).GetQuotaBackendBytes()!.Value.Bytes);
    }

    [Fact]
    public void SetQuotaBackendBytes_BelowTheCurrentDatabaseSize_IsRefused()
    {
        var error = Assert.Throws<ManifestException>(() => Manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("2Mi"), new QuotaChangeOptions { CurrentDatabaseSize = 3 << 20 }));

        Assert.Equal(ManifestErrorCode.QuotaBelowDatabaseSize, error.ErrorCode);
    }

    [Fact]
    public void ConfigFileAndKubeadmConfiguration_CheckValuesTheSameWay()
    {
        var config = EtcdConfigFile.Parse("name: n1\nquota-backend-bytes: 2147483648\n");
        var kubeadm = KubeadmClusterConfiguration.Parse("""
            apiVersion: kubeadm.k8s.io/v1beta3
            kind: ClusterConfiguration
            etcd:
              local:
                extraArgs:
                  snapshot-count: "10000"
            """);

        Assert.Equal(ManifestErrorCode.InvalidFlagValue, Assert.Throws<ManifestException>(() => config.SetFlag("quota-backend-bytes", "abc")).ErrorCode);
        Assert.Equal(ManifestErrorCode.QuotaBelowMinimum, Assert.Throws<ManifestException>(() => config.SetFlag("quota-backend-bytes", "8")).ErrorCode);
        Assert.Equal(ManifestErrorCode.UnknownFlag, Assert.Throws<ManifestException>(() => config.SetFlag("quota", "8589934592")).ErrorCode);
        Assert.Equal(ManifestErrorCode.InvalidFlagValue, Assert.Throws<ManifestException>(() => kubeadm.SetFlag("snapshot-count", "many")).ErrorCode);
        Assert.Equal(ManifestErrorCode.UnknownFlag, Assert.Throws<ManifestException>(() => kubeadm.SetFlag("snapshot-counts", "1")).ErrorCode);
    }

    [Theory]
    [InlineData("")]
    [InlineData("# nothing here yet\n")]
    [InlineData("---\n")]
    public void EmptyFile_IsNotAnEtcdConfigFile(string text)
    {
        var error = Assert.Throws<ManifestException>(() => EtcdConfigFile.Parse(text, "etcd.yaml"));

        Assert.Equal(ManifestErrorCode.NotAnEtcdConfigFile, error.ErrorCode);
        Assert.Contains("empty", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AMappingWithoutAnyEtcdSetting_IsNotAnEtcdConfigFile()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdConfigFile.Parse("server:\n  port: 8080\nreplicas: 3\n", "app.yaml"));

        Assert.Equal(ManifestErrorCode.NotAnEtcdConfigFile, error.ErrorCode);
        Assert.Contains("server, replicas", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyManifestFile_IsRefusedAsAManifest_AndAsAConfigFile_AndStaysEmpty()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("etcd-empty-").FullName, "etcd.yaml");
        File.WriteAllText(path, string.Empty);
        try
        {
            Assert.Equal(ManifestErrorCode.NotAPod, Assert.Throws<ManifestException>(() => EtcdManifest.Load(path)).ErrorCode);
            Assert.Equal(ManifestErrorCode.NotAnEtcdConfigFile, Assert.Throws<ManifestException>(() => EtcdConfigFile.Load(path)).ErrorCode);
            Assert.Equal(0, new FileInfo(path).Length);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(path)!, recursive: true);
        }
    }

    [Fact]
    public async Task ARefusedValue_LeavesTheFileUntouched()
    {
        var directory = Directory.CreateTempSubdirectory("etcd-refused-").FullName;
        var path = Path.Combine(directory, "etcd.yaml");
        await File.WriteAllTextAsync(path, ManifestSamples.Kubeadm);
        var before = await File.ReadAllBytesAsync(path);
        try
        {
            var manifest = EtcdManifest.Load(path);

            Assert.Throws<ManifestException>(() => manifest.SetFlag("quota-backend-bytes", "abc"));
            Assert.Throws<ManifestException>(() => manifest.SetQuotaBackendBytes(new QuotaBackendBytes(8)));

            Assert.Equal(before, await File.ReadAllBytesAsync(path));
            Assert.Equal(ManifestSamples.Kubeadm, manifest.Text);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
