using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class EtcdEnvironmentFileTests
{
    /// <summary>Shaped like kubespray's /etc/etcd.env.</summary>
    private const string Env = """
        # Environment file for etcd v3.5.30
        ETCD_DATA_DIR=/var/lib/etcd
        ETCD_ADVERTISE_CLIENT_URLS=https://10.0.0.1:2379
        ETCD_INITIAL_ADVERTISE_PEER_URLS=https://10.0.0.1:2380
        ETCD_INITIAL_CLUSTER_STATE=existing
        ETCD_METRICS=basic
        ETCD_LISTEN_CLIENT_URLS=https://10.0.0.1:2379,https://127.0.0.1:2379
        ETCD_ELECTION_TIMEOUT=5000
        ETCD_HEARTBEAT_INTERVAL=250
        ETCD_INITIAL_CLUSTER_TOKEN="k8s_etcd"
        ETCD_NAME='etcd1'
        ETCD_QUOTA_BACKEND_BYTES=2147483648
        ; a second comment style
        ETCD_INITIAL_CLUSTER=etcd1=https://10.0.0.1:2380,etcd2=https://10.0.0.2:2380
        ETCDCTL_API=3
        GOMAXPROCS=2

        """;

    private static readonly string s_env = ManifestSamples.Lf(Env);

    [Fact]
    public void Parse_ReadsEtcdVariablesAsFlags_AndIgnoresOthers()
    {
        var env = EtcdEnvironmentFile.Parse(s_env, "etcd.env");

        Assert.Equal("etcd1", env.GetName());
        Assert.Equal("k8s_etcd", env.GetFlag("initial-cluster-token"));
        Assert.Equal(new QuotaBackendBytes(2L << 30), env.GetQuotaBackendBytes());
        Assert.Equal(InitialClusterState.Existing, env.GetInitialClusterState());
        Assert.Equal(2, env.GetInitialCluster()!.Members.Count);
        Assert.Equal("/var/lib/etcd", env.GetDataDir());
        Assert.Null(env.GetFlag("api"));
        Assert.DoesNotContain(env.Flags, f => f.Name is "gomaxprocs" or "ctl-api");
        Assert.All(env.Flags, f => Assert.Equal(ManifestFlagSyntax.EnvironmentVariable, f.Syntax));
        Assert.Equal(EtcdFlagFileKind.EnvironmentFile, env.Kind);
    }

    [Fact]
    public void SetQuota_ChangesOnlyThatValue()
    {
        var env = EtcdEnvironmentFile.Parse(s_env, "etcd.env");

        var edited = env.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8GiB"));

        Assert.Equal(s_env.Replace("ETCD_QUOTA_BACKEND_BYTES=2147483648", "ETCD_QUOTA_BACKEND_BYTES=8589934592", StringComparison.Ordinal), edited.Text);
        Assert.Equal(new QuotaBackendBytes(8L << 30), edited.GetQuotaBackendBytes());
        Assert.Contains("-ETCD_QUOTA_BACKEND_BYTES=2147483648", edited.GetDiff(), StringComparison.Ordinal);
    }

    [Fact]
    public void SetFlag_KeepsQuotingStyle()
    {
        var env = EtcdEnvironmentFile.Parse(s_env, "etcd.env");

        var edited = env.SetName("etcd 9").SetFlag("initial-cluster-token", "new token");

        Assert.Contains("ETCD_NAME='etcd 9'\n", edited.Text, StringComparison.Ordinal);
        Assert.Contains("ETCD_INITIAL_CLUSTER_TOKEN=\"new token\"\n", edited.Text, StringComparison.Ordinal);
        Assert.Equal("etcd 9", edited.GetName());
        Assert.Equal("new token", edited.GetFlag("initial-cluster-token"));
    }

    [Fact]
    public void SetFlag_AbsentFlag_AppendsOneLineInTheFilesLineEndings()
    {
        var crlf = "# etcd\r\nETCD_NAME=etcd1\r\nOTHER=x";

        var edited = EtcdEnvironmentFile.Parse(crlf, "etcd.env").SetFlag("snapshot-count", "10000");

        Assert.Equal("# etcd\r\nETCD_NAME=etcd1\r\nOTHER=x\r\nETCD_SNAPSHOT_COUNT=10000\r\n", edited.Text);
        Assert.Equal("10000", edited.GetFlag("snapshot-count"));
    }

    [Fact]
    public void SetFlag_ValueWithQuotesAndBackslashes_ReadsBack()
    {
        var env = EtcdEnvironmentFile.Parse("ETCD_NAME=etcd1\n", "etcd.env");

        var edited = env.SetFlag("log-outputs", "a \"b\" \\c");

        Assert.Equal("ETCD_NAME=etcd1\nETCD_LOG_OUTPUTS=\"a \\\"b\\\" \\\\c\"\n", edited.Text);
        Assert.Equal("a \"b\" \\c", edited.GetFlag("log-outputs"));
    }

    [Fact]
    public void RemoveFlag_RemovesEveryOccurrenceLine_AndWarnsOfDuplicates()
    {
        var env = EtcdEnvironmentFile.Parse("ETCD_SNAPSHOT_COUNT=1\n# keep\nETCD_NAME=etcd1\nETCD_SNAPSHOT_COUNT=2\n", "etcd.env");

        Assert.Equal("2", env.GetFlag("snapshot-count"));
        Assert.Contains(env.Notices, n => n.Code == ManifestNoticeCode.DuplicateFlag && n.Line == 4);
        Assert.Equal("# keep\nETCD_NAME=etcd1\n", env.RemoveFlag("snapshot-count").Text);
    }

    [Theory]
    [InlineData("ETCD_NAME=etcd1\nnot an assignment\n", 2)]
    [InlineData("ETCD_NAME=\"etcd1\n", 1)]
    [InlineData("ETCD_NAME=etcd1 \\\n", 1)]
    public void Parse_BadLine_IsRefusedNamingTheLine(string text, int line)
    {
        var error = Assert.Throws<ManifestException>(() => EtcdEnvironmentFile.Parse(text, "etcd.env"));

        Assert.Equal(ManifestErrorCode.NotAnEnvironmentFile, error.ErrorCode);
        Assert.Equal(line, error.Line);
        Assert.StartsWith($"etcd.env:{line}:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NoEtcdVariable_IsRefused()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdEnvironmentFile.Parse("# nothing\nPATH=/bin\n", "other.env"));

        Assert.Equal(ManifestErrorCode.NotAnEnvironmentFile, error.ErrorCode);
    }

    [Fact]
    public void VariableOf_MapsFlagNames()
    {
        Assert.Equal("ETCD_QUOTA_BACKEND_BYTES", EtcdEnvironmentFile.VariableOf("--quota-backend-bytes"));
    }
}
