using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class QuotaChangeTests
{
    private static readonly string s_kubeadm = ManifestSamples.Lf(ManifestSamples.Kubeadm);

    [Fact]
    public void SetQuotaBackendBytes_WritesIntegerBytes()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("3GiB"));

        Assert.Equal("3221225472", edited.GetFlag("quota-backend-bytes"));
        Assert.Contains("    - --quota-backend-bytes=3221225472\n", edited.Text, StringComparison.Ordinal);
        Assert.Equal(QuotaBackendBytes.Parse("3Gi"), edited.GetQuotaBackendBytes());
    }

    [Fact]
    public void SetQuotaBackendBytes_AtOrBelowDatabaseSize_IsRefusedAndNothingChanges()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm, "etcd.yaml");

        var error = Assert.Throws<ManifestException>(() => manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("2Gi"), new QuotaChangeOptions { CurrentDatabaseSize = 2L << 30 }));

        Assert.Equal(ManifestErrorCode.QuotaBelowDatabaseSize, error.ErrorCode);
        Assert.Equal("quota-backend-bytes", error.Flag);
        Assert.False(manifest.IsModified);
    }

    [Fact]
    public void SetQuotaBackendBytes_AboveEightGiB_IsRefusedUnlessForcedAndThenWarns()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var error = Assert.Throws<ManifestException>(() => manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("16Gi")));
        var forced = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("16Gi"), new QuotaChangeOptions { Force = true });

        Assert.Equal(ManifestErrorCode.QuotaAboveSuggestedMaximum, error.ErrorCode);
        Assert.Equal("17179869184", forced.GetFlag("quota-backend-bytes"));
        Assert.Contains(forced.Notices, n => n.Code == ManifestNoticeCode.QuotaAboveSuggestedMaximum && n.Severity == ManifestNoticeSeverity.Warning);
    }

    [Fact]
    public void SetQuotaBackendBytes_EightGiBWithKubeadmProbe_AdvisesARaisedFailureThreshold()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = (EtcdManifest)manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8Gi"));

        var advice = Assert.Single(edited.Notices, n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall);
        var assessment = edited.AssessLivenessProbe(QuotaBackendBytes.Parse("8Gi"))!;
        Assert.False(assessment.IsSufficient);
        Assert.Equal(TimeSpan.FromSeconds(256), assessment.EstimatedDefragmentDuration);
        Assert.Equal(39, assessment.SuggestedFailureThreshold);
        Assert.Contains("failureThreshold 8 x periodSeconds 10", advice.Message, StringComparison.Ordinal);
        Assert.Contains("raise failureThreshold to 39", advice.Message, StringComparison.Ordinal);
        Assert.True(edited.SetLivenessProbeFailureThreshold(assessment.SuggestedFailureThreshold).AssessLivenessProbe(QuotaBackendBytes.Parse("8Gi"))!.IsSufficient);
    }

    [Fact]
    public void SetLivenessProbeFailureThreshold_AfterAdvice_ReplacesTheAdviceWithANewAssessment()
    {
        var manifest = (EtcdManifest)EtcdManifest.Parse(s_kubeadm).SetQuotaBackendBytes(QuotaBackendBytes.Parse("8Gi"));

        var enough = manifest.SetLivenessProbeFailureThreshold(39);
        var tooFew = manifest.SetLivenessProbeFailureThreshold(20);

        Assert.DoesNotContain(enough.Notices, n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall);
        var advice = Assert.Single(tooFew.Notices, n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall);
        Assert.Contains("failureThreshold 20 x periodSeconds 10", advice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetQuotaBackendBytes_SmallQuota_GivesNoProbeAdvice()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("1Gi"));

        Assert.DoesNotContain(edited.Notices, n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall);
        Assert.Contains(edited.Notices, n => n.Code == ManifestNoticeCode.QuotaLowered);
    }

    [Fact]
    public void SetQuotaBackendBytes_FasterDefragmentAssumed_NeedsNoAdvice()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8Gi"), new QuotaChangeOptions { DefragmentBytesPerSecond = 512L << 20 });

        Assert.DoesNotContain(edited.Notices, n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall);
    }

    [Fact]
    public void SetQuotaBackendBytes_LittleHeadroom_Warns()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("3Gi"), new QuotaChangeOptions { CurrentDatabaseSize = 2900L << 20 });

        Assert.Contains(edited.Notices, n => n.Code == ManifestNoticeCode.QuotaLowHeadroom);
    }

    [Fact]
    public void SetAutoCompaction_SetsBothFlags()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest.SetAutoCompaction(AutoCompaction.Revision(10000));

        Assert.Equal("revision", edited.GetFlag("auto-compaction-mode"));
        Assert.Equal("10000", edited.GetFlag("auto-compaction-retention"));
        Assert.Equal(10000, edited.GetAutoCompaction()!.Revisions);
    }

    [Fact]
    public void RejoinMember_SetsInitialClusterAndStateExisting()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);
        var cluster = manifest.GetInitialCluster()!.WithMember("cp2", ["https://10.0.0.12:2380"]).WithMember("cp3", ["https://10.0.0.13:2380"]);

        var edited = manifest.SetInitialCluster(cluster).SetInitialClusterState(InitialClusterState.Existing);

        Assert.Equal("cp1=https://10.0.0.11:2380,cp2=https://10.0.0.12:2380,cp3=https://10.0.0.13:2380", edited.GetFlag("initial-cluster"));
        Assert.Equal(InitialClusterState.Existing, edited.GetInitialClusterState());
        Assert.Contains("    - --initial-cluster-state=existing\n", edited.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void SetUrlsAndName_WriteCommaLists()
    {
        var manifest = EtcdManifest.Parse(s_kubeadm);

        var edited = manifest
            .SetUrls(EtcdUrlKind.ListenClientUrls, ["https://127.0.0.1:2379", "https://10.0.0.21:2379"])
            .SetName("cp9")
            .SetDataDir("/var/lib/etcd-new");

        Assert.Equal(["https://127.0.0.1:2379", "https://10.0.0.21:2379"], edited.GetUrls(EtcdUrlKind.ListenClientUrls));
        Assert.Equal("cp9", edited.GetName());
        Assert.Equal("/var/lib/etcd-new", edited.GetDataDir());
        Assert.Throws<ArgumentException>(() => manifest.SetUrls(EtcdUrlKind.AdvertiseClientUrls, ["10.0.0.1:2379"]));
    }
}
