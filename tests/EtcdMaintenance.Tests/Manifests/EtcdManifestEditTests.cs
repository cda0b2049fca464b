using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class EtcdManifestEditTests
{
    private static readonly string s_kubeadm = ManifestSamples.Lf(ManifestSamples.Kubeadm);
    private static readonly string s_args = ManifestSamples.Lf(ManifestSamples.ArgsStyle);

    [Fact]
    public void SetFlag_ExistingJoinedFlag_ChangesOnlyThatLine()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetFlag("snapshot-count", "20000");

        Assert.Equal(s_kubeadm.Replace("- --snapshot-count=10000\n", "- --snapshot-count=20000\n", StringComparison.Ordinal), edited.Text);
        Assert.Equal("20000", edited.GetFlag("snapshot-count"));
    }

    [Fact]
    public void SetFlag_NewFlagInKubeadmManifest_GoesAfterTheLastFlagInTheSameStyle()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetFlag("quota-backend-bytes", "8589934592");

        var expected = s_kubeadm.Replace(
            "    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n",
            "    - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt\n    - --quota-backend-bytes=8589934592\n",
            StringComparison.Ordinal);
        Assert.Equal(expected, edited.Text);
    }

    [Fact]
    public void SetFlag_Twice_SameTextAsOnce()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var once = manifest.SetFlag("quota-backend-bytes", "8589934592");
        var twice = once.SetFlag("quota-backend-bytes", "8589934592");

        Assert.Equal(once.Text, twice.Text);
        Assert.Same(once, twice);
    }

    [Fact]
    public void SetFlag_SeparateQuotedValue_KeepsTheQuotes()
    {
        var manifest = EtcdManifest.Parse(s_args);

        var edited = manifest.SetFlag("quota-backend-bytes", "8589934592");

        Assert.Equal(s_args.Replace("- \"4294967296\"", "- \"8589934592\"", StringComparison.Ordinal), edited.Text);
        Assert.Equal(ManifestFlagSyntax.Separate, edited.GetFlags("quota-backend-bytes")[0].Syntax);
    }

    [Fact]
    public void SetFlag_SeparatePlainValueThatLooksLikeANumber_IsQuotedSoKubeletReadsAString()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --snapshot-count", "- \"10000\"", "- --name", "- cp1"));

        var edited = manifest.SetFlag("name", "20000");

        Assert.Contains("    - \"20000\"\n", edited.Text, StringComparison.Ordinal);
        Assert.Equal("20000", edited.GetFlag("name"));
    }

    [Fact]
    public void SetFlag_NewFlagInArgsManifest_CopiesTheIndentationOfTheLastFlag()
    {
        var manifest = EtcdManifest.Parse(s_args);

        var edited = manifest.SetFlag("snapshot-count", "10000");

        Assert.Equal(
            s_args.Replace("        - --auto-compaction-retention=1h\n", "        - --auto-compaction-retention=1h\n        - --snapshot-count=10000\n", StringComparison.Ordinal),
            edited.Text);
    }

    [Fact]
    public void SetFlag_NewFlagWhenTheLastValuedFlagIsSeparate_WritesTwoItems()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --name", "- cp1", "- --client-cert-auth"));

        var edited = manifest.SetFlag("data-dir", "/var/lib/etcd");

        Assert.EndsWith("    - --client-cert-auth\n    - --data-dir\n    - /var/lib/etcd\n    name: etcd\n", edited.Text, StringComparison.Ordinal);
        Assert.Equal(ManifestFlagSyntax.Separate, edited.GetFlags("data-dir")[0].Syntax);
    }

    [Fact]
    public void SetFlag_BareBooleanToFalse_BecomesJoined()
    {
        var manifest = EtcdManifest.Parse(s_args);

        var edited = manifest.SetFlag("client-cert-auth", "false");

        Assert.Equal(s_args.Replace("- --client-cert-auth\n", "- --client-cert-auth=false\n", StringComparison.Ordinal), edited.Text);
    }

    [Fact]
    public void SetFlag_BareBooleanToTrue_ChangesNothing()
    {
        var manifest = EtcdManifest.Parse(s_args);

        Assert.Same(manifest, manifest.SetFlag("client-cert-auth", "true"));
        Assert.Same(manifest, manifest.SetFlag("client-cert-auth", null));
    }

    [Fact]
    public void SetFlag_NullOnValuedFlag_IsRefused()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        Assert.Throws<ArgumentException>(() => manifest.SetFlag("name", null));
    }

    [Fact]
    public void SetFlag_ValueWithLineBreak_IsRefused()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        Assert.Throws<ArgumentException>(() => manifest.SetFlag("name", "a\nb"));
        Assert.Throws<ArgumentException>(() => manifest.SetFlag("not a flag", "x"));
    }

    [Fact]
    public void SetFlag_ValueNeedingQuotes_IsQuotedAndReadsBack()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetFlag("log-outputs", "stderr #not a comment");

        Assert.Equal("stderr #not a comment", edited.GetFlag("log-outputs"));
        Assert.Contains("- \"--log-outputs=stderr #not a comment\"", edited.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void SetFlag_SingleQuotedItem_StaysSingleQuoted()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.CommentedLf);

        var edited = manifest.SetFlag("listen-client-urls", "https://127.0.0.1:2379,https://10.0.0.2:2379");

        Assert.Contains("    - '--listen-client-urls=https://127.0.0.1:2379,https://10.0.0.2:2379'\n", edited.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void SetFlag_InCrlfManifest_KeepsEveryOtherByte()
    {
        var original = ManifestSamples.CommentedCrlf;
        var manifest = EtcdManifest.Parse(original);

        var edited = manifest.SetFlag("quota-backend-bytes", "8589934592");

        var expected = original[1..].Replace("- --quota-backend-bytes=2147483648   # 2 GiB", "- --quota-backend-bytes=8589934592   # 2 GiB", StringComparison.Ordinal);
        Assert.Equal(expected, edited.Text);
        Assert.True(edited.HasByteOrderMark);
        Assert.Equal([0xEF, 0xBB, 0xBF], edited.ToBytes()[..3]);
    }

    [Fact]
    public void SetFlag_NewFlagInCrlfManifest_UsesCrlfAndGoesBeforeTheCommentedOutFlag()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.CommentedCrlf);

        var edited = manifest.SetFlag("snapshot-count", "10000");

        Assert.Contains("    - \"--initial-cluster-state=existing\"\r\n    - \"--snapshot-count=10000\"\r\n    livenessProbe:", edited.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("\n\n", edited.Text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace("/var/lib/etcd\n\n", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotMatch("[^\r]\n", edited.Text);
    }

    [Fact]
    public void SetFlag_DuplicateFlag_ChangesTheEffectiveOneAndKeepsReportingTheDuplicate()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- --quota-backend-bytes=1", "- --name=a", "- --quota-backend-bytes=2"));

        var edited = manifest.SetFlag("quota-backend-bytes", "3", force: true);

        Assert.Equal(["1", "3"], edited.GetFlags("quota-backend-bytes").Select(f => f.Value));
        Assert.Contains(edited.Notices, n => n.Code == ManifestNoticeCode.DuplicateFlag);
    }

    [Fact]
    public void RemoveFlag_RemovesEveryOccurrenceWithItsValueItemAndComment()
    {
        var manifest = EtcdManifest.Parse(ManifestSamples.CommentedLf);

        var edited = manifest.RemoveFlag("quota-backend-bytes").RemoveFlag("name");

        var expected = ManifestSamples.CommentedLf
            .Replace("    - --quota-backend-bytes=2147483648   # 2 GiB, raise with care\n", string.Empty, StringComparison.Ordinal)
            .Replace("    - --name=cp2          # this node\n", string.Empty, StringComparison.Ordinal);
        Assert.Equal(expected, edited.Text);
    }

    [Fact]
    public void RemoveFlag_SeparateStyle_RemovesBothItems()
    {
        var manifest = EtcdManifest.Parse(s_args);

        var edited = manifest.RemoveFlag("initial-cluster");

        Assert.DoesNotContain("initial-cluster\n", edited.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("node-b", edited.Text, StringComparison.Ordinal);
        Assert.Equal(manifest.Flags.Count - 1, edited.Flags.Count);
        Assert.Equal(s_args.Length - "        - --initial-cluster\n        - node-a=https://node-a.example:2380,node-b=https://node-b.example:2380,node-c=https://node-c.example:2380\n".Length, edited.Text.Length);
    }

    [Fact]
    public void RemoveFlag_Absent_ChangesNothing()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        Assert.Same(manifest, manifest.RemoveFlag("quota-backend-bytes"));
    }

    [Fact]
    public void RemoveFlag_LastLineWithoutFinalNewline_KeepsTheFileEndingWithoutOne()
    {
        var text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n    - --name=a\n    - --data-dir=/d";
        var manifest = EtcdManifest.Parse(text);

        var edited = manifest.RemoveFlag("data-dir");

        Assert.Equal("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n    - --name=a", edited.Text);
    }

    [Fact]
    public void SetFlag_AfterRemovingTheOnlyArgs_AddsUnderTheEmptyArgsKey()
    {
        var text = "apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n    args:\n    - --name=a\n    image: x\n";
        var manifest = EtcdManifest.Parse(text);

        var removed = manifest.RemoveFlag("name");
        var restored = removed.SetFlag("name", "a");

        Assert.Equal("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n    - etcd\n    args:\n    image: x\n", removed.Text);
        Assert.Equal(text, restored.Text);
    }

    [Fact]
    public void SetFlag_EmptyFlowArgs_BecomesABlockList()
    {
        var manifest = EtcdManifest.Parse("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n      - etcd\n    args: [] # none\n    image: x\n");

        var edited = manifest.SetFlag("name", "a");

        Assert.Equal("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command:\n      - etcd\n    args: # none\n      - --name=a\n    image: x\n", edited.Text);
    }

    [Fact]
    public void SetFlag_ItemWrittenAsBlockScalar_BecomesOneLineAndKeepsTheNextLine()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- >-", "  --name=a", "- --data-dir=/d"));

        var edited = manifest.SetFlag("name", "b");

        Assert.Equal(EtcdManifestReadTests.Pod("- --name=b", "- --data-dir=/d"), edited.Text);
    }

    [Fact]
    public void SetFlag_ItemSpanningTwoLines_IsReplacedByOneLine()
    {
        var manifest = EtcdManifest.Parse(EtcdManifestReadTests.Pod("- \"--initial-cluster=a=https://10.0.0.1:2380,", "  b=https://10.0.0.2:2380\"", "- --name=a"));

        var edited = manifest.SetFlag("initial-cluster", "a=https://10.0.0.1:2380");

        Assert.Equal("a=https://10.0.0.1:2380, b=https://10.0.0.2:2380", manifest.GetFlag("initial-cluster")); // YAML folds the line break
        Assert.Equal(EtcdManifestReadTests.Pod("- \"--initial-cluster=a=https://10.0.0.1:2380\"", "- --name=a"), edited.Text);
    }

    [Fact]
    public void GetDiff_AfterSetQuota_ShowsOneChangedLineWithContext()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm, "/etc/kubernetes/manifests/etcd.yaml");

        var diff = manifest.SetFlag("snapshot-count", "20000").GetDiff();

        Assert.Equal("""
            --- a/etc/kubernetes/manifests/etcd.yaml
            +++ b/etc/kubernetes/manifests/etcd.yaml
            @@ -30,7 +30,7 @@
                 - --peer-client-cert-auth=true
                 - --peer-key-file=/etc/kubernetes/pki/etcd/peer.key
                 - --peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
            -    - --snapshot-count=10000
            +    - --snapshot-count=20000
                 - --trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt
                 image: registry.k8s.io/etcd:3.5.12-0
                 imagePullPolicy: IfNotPresent

            """.ReplaceLineEndings("\n"), diff);
    }

    [Fact]
    public void SetFlag_InKubeadmManifest_AdvisesChangingClusterConfigurationToo()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetFlag("snapshot-count", "20000");

        Assert.Contains(edited.Notices, n => n.Code == ManifestNoticeCode.KubeadmRegeneratesManifest && n.Flag == "snapshot-count");
    }

    [Fact]
    public void SetFlag_InFlowSequence_IsRefusedNamingLineAndFlag()
    {
        var manifest = EtcdManifest.Parse("apiVersion: v1\nkind: Pod\nspec:\n  containers:\n  - name: etcd\n    command: [etcd, --name=a]\n");

        var error = Assert.Throws<ManifestException>(() => manifest.SetFlag("name", "b"));

        Assert.Equal(ManifestErrorCode.UnsupportedLayout, error.ErrorCode);
        Assert.Equal(6, error.Line);
        Assert.Equal("name", error.Flag);
        Assert.Contains("flow sequence", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetLivenessProbeFailureThreshold_ChangesOnlyTheNumber()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetLivenessProbeFailureThreshold(40);

        Assert.Equal(s_kubeadm.Replace("      failureThreshold: 8\n", "      failureThreshold: 40\n", StringComparison.Ordinal), edited.Text);
        Assert.Equal(24, edited.Text.Contains("failureThreshold: 24", StringComparison.Ordinal) ? 24 : 0);
    }

    [Fact]
    public void SetLivenessProbeFailureThreshold_Absent_AddsTheKeyAfterTheProbesLastKey()
    {
        var manifest = EtcdManifest.Parse(s_args);

        var edited = manifest.SetLivenessProbeFailureThreshold(12);

        Assert.Equal(s_args.Replace("        periodSeconds: 15\n", "        periodSeconds: 15\n        failureThreshold: 12\n", StringComparison.Ordinal), edited.Text);
        Assert.Equal(12, edited.LivenessProbe!.FailureThreshold);
    }
}
