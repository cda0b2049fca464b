using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class ManifestBadInputTests
{
    [Fact]
    public void Parse_NotYaml_NamesFileLineAndColumn()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse("apiVersion: v1\nkind: Pod\nspec: [unclosed\n", "/etc/kubernetes/manifests/etcd.yaml"));

        Assert.Equal(ManifestErrorCode.InvalidYaml, error.ErrorCode);
        Assert.Equal("/etc/kubernetes/manifests/etcd.yaml", error.File);
        Assert.NotNull(error.Line);
        Assert.StartsWith("/etc/kubernetes/manifests/etcd.yaml:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_NotAPod_SaysWhatItIs()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse("apiVersion: apps/v1\nkind: Deployment\nspec: {}\n", "d.yaml"));

        Assert.Equal(ManifestErrorCode.NotAPod, error.ErrorCode);
        Assert.Equal(2, error.Line);
        Assert.Contains("Deployment", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_EmptyFile_IsNotAPod()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse("# nothing here\n"));

        Assert.Equal(ManifestErrorCode.NotAPod, error.ErrorCode);
    }

    [Fact]
    public void Parse_NoEtcdContainer_ListsTheContainers()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command:\n    - kube-apiserver\n  - name: sidecar\n"));

        Assert.Equal(ManifestErrorCode.NoEtcdContainer, error.ErrorCode);
        Assert.Contains("kube-apiserver, sidecar", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TwoDocuments_IsRefusedAtTheSecond()
    {
        var text = ManifestSamples.Lf(ManifestSamples.Kubeadm) + "---\n" + ManifestSamples.Lf(ManifestSamples.Kubeadm);

        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse(text));

        Assert.Equal(ManifestErrorCode.MultipleDocuments, error.ErrorCode);
        var separatorLine = text.Split('\n').ToList().IndexOf("---") + 1;
        Assert.Equal(separatorLine + 1, error.Line);
    }

    [Fact]
    public void Parse_TabIndentation_NamesTheLine()
    {
        var text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n\t- etcd\n";

        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse(text, "etcd.yaml"));

        Assert.Equal(ManifestErrorCode.TabIndentation, error.ErrorCode);
        Assert.Equal(7, error.Line);
        Assert.Contains("etcd.yaml:7:1", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TabInsideBlockScalar_IsAccepted()
    {
        var text = "apiVersion: v1\nkind: Pod\nmetadata:\n  annotations:\n    note: |\n      a\n      \tindented text\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n";

        Assert.Equal("etcd", EtcdManifest.Parse(text).ContainerName);
    }

    [Fact]
    public void Parse_DuplicateKey_IsRefused()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n    command:\n    - etcd\n"));

        Assert.Equal(ManifestErrorCode.DuplicateKey, error.ErrorCode);
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void Parse_ShellWrapper_IsUnsupported()
    {
        var error = Assert.Throws<ManifestException>(() => EtcdManifest.Parse(
            "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - /bin/sh\n    - -c\n    - exec etcd --name=a\n"));

        Assert.Equal(ManifestErrorCode.UnsupportedLayout, error.ErrorCode);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void GetQuotaBackendBytes_WithUnit_IsAnErrorNamingLineAndFlagAndSuggestingTheBytes()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --name=a", "- --quota-backend-bytes=3Gi"), "etcd.yaml");

        var error = Assert.Throws<ManifestException>(() => manifest.GetQuotaBackendBytes());

        Assert.Equal(ManifestErrorCode.InvalidFlagValue, error.ErrorCode);
        Assert.Equal(8, error.Line);
        Assert.Equal("quota-backend-bytes", error.Flag);
        Assert.Contains("3221225472", error.Message, StringComparison.Ordinal);
        Assert.EndsWith("(flag --quota-backend-bytes)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetInitialCluster_Malformed_NamesTheFlag()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --initial-cluster=a=https://10.0.0.1:2380,b"));

        var error = Assert.Throws<ManifestException>(() => manifest.GetInitialCluster());

        Assert.Equal("initial-cluster", error.Flag);
        Assert.Equal(7, error.Line);
    }

    [Fact]
    public void GetInitialClusterState_Unknown_IsAnError()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --initial-cluster-state=exisitng"));

        var error = Assert.Throws<ManifestException>(() => manifest.GetInitialClusterState());

        Assert.Equal("initial-cluster-state", error.Flag);
        Assert.Contains("exisitng", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetAutoCompaction_RevisionWithDuration_IsAnError()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --auto-compaction-mode=revision", "- --auto-compaction-retention=1h"));

        var error = Assert.Throws<ManifestException>(() => manifest.GetAutoCompaction());

        Assert.Equal("auto-compaction-retention", error.Flag);
        Assert.Equal(8, error.Line);
    }

    [Fact]
    public void GetUrls_WithPath_IsAnError()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --listen-client-urls=https://10.0.0.1:2379/x"));

        var error = Assert.Throws<ManifestException>(() => manifest.GetUrls(EtcdUrlKind.ListenClientUrls));

        Assert.Equal("listen-client-urls", error.Flag);
    }

    [Fact]
    public void SetFlag_OnItemWithAnchor_IsRefused()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- &n --name=a"));

        var error = Assert.Throws<ManifestException>(() => manifest.SetFlag("name", "b"));

        Assert.Equal(ManifestErrorCode.UnsupportedLayout, error.ErrorCode);
        Assert.Equal("name", error.Flag);
    }

    [Fact]
    public void Load_Utf16File_IsRefused()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, ManifestSamples.Kubeadm, System.Text.Encoding.Unicode);

            var error = Assert.Throws<ManifestException>(() => EtcdManifest.Load(path));

            Assert.Equal(ManifestErrorCode.InvalidYaml, error.ErrorCode);
            Assert.Contains("UTF-16", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
