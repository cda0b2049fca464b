using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class EtcdManifestReadTests
{
    [Fact]
    public void Parse_KubeadmManifest_FindsEtcdContainerAndEveryFlag()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.Lf(ManifestSamples.Kubeadm), "etcd.yaml");

        Assert.Equal("etcd", manifest.ContainerName);
        Assert.Equal("etcd", manifest.CommandLine[0]);
        Assert.Equal(19, manifest.Flags.Count);
        Assert.All(manifest.Flags, f => Assert.Equal(ManifestFlagSyntax.Joined, f.Syntax));
        Assert.Equal("cp1", manifest.GetFlag("name"));
        Assert.Equal("cp1", manifest.GetFlag("--name"));
        Assert.Equal("true", manifest.GetFlag("client-cert-auth"));
        Assert.Equal("https://127.0.0.1:2379,https://10.0.0.11:2379", manifest.GetFlag("listen-client-urls"));
        Assert.Null(manifest.GetFlag("quota-backend-bytes"));
        Assert.True(manifest.IsKubeadmManaged);
        Assert.Empty(manifest.Notices);
    }

    [Fact]
    public void Parse_KubeadmManifest_ReadsLivenessProbe()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.Lf(ManifestSamples.Kubeadm));

        var probe = Assert.IsType<LivenessProbe>(manifest.LivenessProbe);
        Assert.Equal(8, probe.FailureThreshold);
        Assert.Equal(10, probe.PeriodSeconds);
        Assert.Equal(15, probe.TimeoutSeconds);
        Assert.Equal(TimeSpan.FromSeconds(80), probe.FailureBudget);
        Assert.Equal(37, probe.Line);
    }

    [Fact]
    public void Parse_ArgsStyleManifest_ReadsSeparateQuotedAndBareFlags()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.Lf(ManifestSamples.ArgsStyle));

        Assert.Equal("etcd", manifest.ContainerName);
        Assert.Equal(["/usr/local/bin/etcd"], manifest.Command);
        Assert.Equal("node-a", manifest.GetFlag("name"));
        Assert.Equal(ManifestFlagSyntax.Separate, manifest.GetFlags("name")[0].Syntax);
        Assert.Equal("/var/lib/etcd", manifest.GetFlag("data-dir"));
        Assert.Equal("https://0.0.0.0:2379", manifest.GetFlag("listen-client-urls"));
        Assert.Equal(ManifestFlagSyntax.Bare, manifest.GetFlags("client-cert-auth")[0].Syntax);
        Assert.Null(manifest.GetFlags("client-cert-auth")[0].Value);
        Assert.Equal("true", manifest.GetFlag("client-cert-auth"));
        Assert.Equal(new QuotaBackendBytes(4L << 30), manifest.GetQuotaBackendBytes());
        Assert.Equal(AutoCompaction.Periodic(TimeSpan.FromHours(1)).Period, manifest.GetAutoCompaction()!.Period);
        Assert.Equal(3, manifest.GetInitialCluster()!.Members.Count);
        Assert.Equal(InitialClusterState.New, manifest.GetInitialClusterState());
        Assert.Equal(15, manifest.LivenessProbe!.PeriodSeconds);
        Assert.Equal(3, manifest.LivenessProbe.FailureThreshold);
        Assert.False(manifest.IsKubeadmManaged);
    }

    [Fact]
    public void Parse_CommentedCrlfManifest_ReadsFlagsAroundComments()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.CommentedCrlf);

        Assert.True(manifest.HasByteOrderMark);
        Assert.Equal(["name", "data-dir", "quota-backend-bytes", "listen-client-urls", "initial-cluster-state"], manifest.Flags.Select(f => f.Name));
        Assert.Equal("https://127.0.0.1:2379", manifest.GetFlag("listen-client-urls"));
        Assert.Equal(InitialClusterState.Existing, manifest.GetInitialClusterState());
        Assert.Equal(19, manifest.GetFlags("quota-backend-bytes")[0].Line);
    }

    [Fact]
    public void GetFlags_Duplicate_ReportsBothAndTheLastIsEffective()
    {
        var manifest = EtcdManifest.Parse(Pod("- --quota-backend-bytes=2147483648", "- --name=a", "- --quota-backend-bytes=8589934592"));

        var occurrences = manifest.GetFlags("quota-backend-bytes");
        Assert.Equal(2, occurrences.Count);
        Assert.False(occurrences[0].IsEffective);
        Assert.True(occurrences[1].IsEffective);
        Assert.Equal("8589934592", manifest.GetFlag("quota-backend-bytes"));
        var notice = Assert.Single(manifest.Notices, n => n.Code == ManifestNoticeCode.DuplicateFlag);
        Assert.Contains("last", notice.Message, StringComparison.Ordinal);
        Assert.Equal(occurrences[1].Line, notice.Line);
    }

    [Fact]
    public void Parse_BooleanFlagFollowedByWord_ReportsStrayArgument()
    {
        var manifest = EtcdManifest.Parse(Pod("- --client-cert-auth", "- \"true\"", "- --name=a"));

        Assert.Equal(ManifestFlagSyntax.Bare, manifest.GetFlags("client-cert-auth")[0].Syntax);
        Assert.Equal("a", manifest.GetFlag("name"));
        Assert.Contains(manifest.Notices, n => n.Code == ManifestNoticeCode.StrayArgument);
    }

    [Fact]
    public void Parse_ConfigFileFlag_WarnsThatOtherFlagsAreIgnored()
    {
        var manifest = EtcdManifest.Parse(Pod("- --config-file=/etc/etcd/etcd.conf.yml", "- --name=a"));

        Assert.Contains(manifest.Notices, n => n.Code == ManifestNoticeCode.FlagsIgnoredWithConfigFile);
    }

    [Fact]
    public void Parse_ContainerNotNamedEtcd_FoundByItsCommand()
    {
        var manifest = EtcdManifest.Parse("""
            apiVersion: v1
            kind: Pod
            spec:
              containers:
              - name: sidecar
                image: busybox
              - name: kv-store
                command: [/usr/local/bin/etcd, --name=x]
            """);

        Assert.Equal("kv-store", manifest.ContainerName);
        Assert.Equal("x", manifest.GetFlag("name"));
    }

    /// <summary>A minimal kubeadm-style Pod whose etcd command holds the given items after <c>- etcd</c>.</summary>
    internal static string Pod(params string[] items) =>
        "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - command:\n    - etcd\n" + string.Concat(items.Select(i => "    " + i + "\n")) + "    name: etcd\n";
}
