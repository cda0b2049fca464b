using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class EtcdConfigFileTests
{
    private const string Config = """
        # This is the configuration file for the etcd server.
        name: 'infra1'
        data-dir: /var/lib/etcd

        # Raise alarms when backend size exceeds the given quota.
        quota-backend-bytes: 2147483648
        auto-compaction-mode: periodic
        auto-compaction-retention: "1"
        listen-client-urls: https://10.0.0.1:2379
        initial-cluster: infra1=https://10.0.0.1:2380,infra2=https://10.0.0.2:2380
        initial-cluster-state: new
        log-outputs: [stderr]
        client-transport-security:
          cert-file: /etc/etcd/server.crt
          client-cert-auth: true
        enable-v2: false

        """;

    private static readonly string s_config = ManifestSamples.Lf(Config);

    [Fact]
    public void Parse_ReadsTopLevelKeysAsFlags()
    {
        var config = EtcdConfigFile.Parse(s_config, "etcd.conf.yml");

        Assert.Equal("infra1", config.GetName());
        Assert.Equal(new QuotaBackendBytes(2L << 30), config.GetQuotaBackendBytes());
        Assert.Equal(TimeSpan.FromHours(1), config.GetAutoCompaction()!.Period);
        Assert.Equal(2, config.GetInitialCluster()!.Members.Count);
        Assert.Equal("stderr", config.GetFlag("log-outputs"));
        Assert.Equal("false", config.GetFlag("enable-v2"));
        Assert.All(config.Flags, f => Assert.Equal(ManifestFlagSyntax.MappingEntry, f.Syntax));
        Assert.False(config.HasFlag("client-transport-security"));
    }

    [Fact]
    public void SetQuotaBackendBytes_WritesAPlainIntegerAndKeepsTheComment()
    {
        var config = EtcdConfigFile.Parse(s_config);

        var edited = config.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8GiB"));

        Assert.Equal(s_config.Replace("quota-backend-bytes: 2147483648\n", "quota-backend-bytes: 8589934592\n", StringComparison.Ordinal), edited.Text);
        Assert.DoesNotContain(edited.Notices, n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall);
    }

    [Fact]
    public void SetFlag_QuotedString_KeepsItsQuotes()
    {
        var config = EtcdConfigFile.Parse(s_config);

        var edited = config.SetName("infra9").SetAutoCompaction(AutoCompaction.Periodic(TimeSpan.FromHours(2)));

        Assert.Contains("name: 'infra9'\n", edited.Text, StringComparison.Ordinal);
        Assert.Contains("auto-compaction-retention: \"2h\"\n", edited.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void SetFlag_NewKey_GoesAfterTheLastKeyAtTopLevel()
    {
        var config = EtcdConfigFile.Parse(s_config);

        var edited = config.SetFlag("snapshot-count", "10000").SetFlag("initial-cluster-token", "12345");

        Assert.EndsWith("enable-v2: false\nsnapshot-count: 10000\ninitial-cluster-token: \"12345\"\n", edited.Text, StringComparison.Ordinal);
        Assert.Equal("12345", edited.GetFlag("initial-cluster-token"));
    }

    [Fact]
    public void SetFlag_IntegerKeyWithNonInteger_IsRefused()
    {
        var config = EtcdConfigFile.Parse(s_config);

        Assert.Equal(ManifestErrorCode.InvalidFlagValue, Assert.Throws<ManifestException>(() => config.SetFlag("quota-backend-bytes", "8Gi")).ErrorCode);
        Assert.Equal(ManifestErrorCode.InvalidFlagValue, Assert.Throws<ManifestException>(() => config.SetFlag("enable-v2", "yes")).ErrorCode);
        Assert.Throws<ArgumentException>(() => config.SetFlag("enable-v2", "1"));
    }

    [Fact]
    public void SetFlag_ListValue_IsUnsupported()
    {
        var config = EtcdConfigFile.Parse(s_config);

        var error = Assert.Throws<ManifestException>(() => config.SetFlag("log-outputs", "stdout"));

        Assert.Equal(ManifestErrorCode.UnsupportedLayout, error.ErrorCode);
        Assert.Equal(12, error.Line);
    }

    [Fact]
    public void RemoveFlag_RemovesTheLine()
    {
        var config = EtcdConfigFile.Parse(s_config);

        var edited = config.RemoveFlag("auto-compaction-retention");

        Assert.Equal(s_config.Replace("auto-compaction-retention: \"1\"\n", string.Empty, StringComparison.Ordinal), edited.Text);
    }

    [Fact]
    public void SetFlag_EmptyValue_IsFilled()
    {
        Assert.Equal("name: a\ndata-dir: /d # dir\n", EtcdConfigFile.Parse("name: a\ndata-dir: # dir\n").SetDataDir("/d").Text);
    }

    [Fact]
    public void Parse_PodManifest_IsNotAConfigFile()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdConfigFile.Parse(ManifestSamples.Kubeadm));

        Assert.Equal(ManifestErrorCode.NotAnEtcdConfigFile, error.ErrorCode);
        Assert.Contains("EtcdManifest", error.Message, StringComparison.Ordinal);
    }
}
