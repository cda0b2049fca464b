using EtcdMaintenance.Operations;

namespace EtcdMaintenance.Tests.Operations;

public sealed class DefragConditionTests
{
    private static EndpointStatus Status(long dbSize, long? inUse, long? quota = null) =>
        new("e", new MemberId(1), "3.4.23", dbSize, new MemberId(1), 10, 2, 10) { DbSizeInUse = inUse, DbSizeQuota = quota };

    [Fact]
    public void OpenShiftRule_NeedsBothFragmentationAndSize()
    {
        Assert.True(DefragCondition.OpenShift.Evaluate(Status(200_000_000, 100_000_000)).Defragment);
        Assert.False(DefragCondition.OpenShift.Evaluate(Status(50_000_000, 10_000_000)).Defragment);
        Assert.False(DefragCondition.OpenShift.Evaluate(Status(200_000_000, 150_000_000)).Defragment);
    }

    [Fact]
    public void EtcdDefragRule_HoldsOnQuotaUsageOrFragmentedBytes_AndSaysWhich()
    {
        var byQuota = DefragCondition.EtcdDefrag.Evaluate(Status(1_800_000_000, 1_790_000_000, quota: 2_000_000_000));
        var byBytes = DefragCondition.EtcdDefrag.Evaluate(Status(500_000_000, 200_000_000, quota: 2_000_000_000));
        var neither = DefragCondition.EtcdDefrag.Evaluate(Status(500_000_000, 450_000_000, quota: 2_000_000_000));

        Assert.True(byQuota.Defragment);
        Assert.StartsWith("quotaUsage 90% > 80%", byQuota.Reason, StringComparison.Ordinal);
        Assert.True(byBytes.Defragment);
        Assert.StartsWith("fragmentedBytes", byBytes.Reason, StringComparison.Ordinal);
        Assert.False(neither.Defragment);
    }

    [Theory]
    [InlineData("fragmentation >= 45% && dbSize >= 100MB", 200_000_000, 100_000_000, true)]
    [InlineData("fragmentation >= 0.45 && dbSize >= 100MB", 200_000_000, 150_000_000, false)]
    [InlineData("dbQuotaUsage > 0.8 || dbSize - dbSizeInUse > 200MiB", 600_000_000, 300_000_000, true)]
    [InlineData("(dbSize > 1GB || fragmentation > 50%) && dbSizeInUse < 2GiB", 100_000_000, 40_000_000, true)]
    [InlineData("always", 1, 1, true)]
    [InlineData("dbSize<=1kB", 1000, 1000, true)]
    public void Parse_ReadsEtcdDefragStyleRules(string rule, long dbSize, long inUse, bool expected) =>
        Assert.Equal(expected, DefragCondition.Parse(rule).Evaluate(Status(dbSize, inUse, quota: 2_000_000_000)).Defragment);

    [Theory]
    [InlineData("", "column 1")]
    [InlineData("fragmentation >= ", "a number")]
    [InlineData("fragmentation >= 45MB", "a ratio")]
    [InlineData("dbSize >= 45%", "a size unit")]
    [InlineData("size > 1", "a metric")]
    [InlineData("dbSize > 1 &&", "a metric name")]
    [InlineData("(dbSize > 1", "')'")]
    [InlineData("dbSize = 1", "a comparison")]
    public void Parse_RejectsBadRules_SayingWhereAndWhatWasExpected(string rule, string expected)
    {
        var error = Assert.Throws<FormatException>(() => DefragCondition.Parse(rule));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ToString_PrintsARuleThatParsesBackToTheSameDecisions()
    {
        foreach (var rule in new[] { DefragCondition.OpenShift, DefragCondition.EtcdDefrag, DefragCondition.Parse("(dbSize > 1GB || fragmentation > 50%) && dbSizeInUse < 2GiB") })
        {
            var reparsed = DefragCondition.Parse(rule.ToString());
            foreach (var status in new[] { Status(100, 10, 1000), Status(3_000_000_000, 100, 4_000_000_000), Status(150_000_000, 50_000_000, 160_000_000) })
            {
                Assert.Equal(rule.Evaluate(status), reparsed.Evaluate(status));
            }
        }
    }

    [Fact]
    public void UnknownValues_NeverTriggerADefragment_AndSayWhatIsMissing()
    {
        var decision = DefragCondition.Parse("quotaUsage > 0.5").Evaluate(Status(1000, 10));

        Assert.False(decision.Defragment);
        Assert.Contains("QuotaBackendBytes", decision.Reason, StringComparison.Ordinal);
    }
}

public sealed class CompactionTargetTests
{
    private static readonly DateTimeOffset s_now = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Targets_ResolveAgainstTheCurrentRevision()
    {
        Assert.Equal(1000, CompactionTarget.Current.Resolve(1000, s_now));
        Assert.Equal(900, CompactionTarget.KeepLast(100).Resolve(1000, s_now));
        Assert.Null(CompactionTarget.KeepLast(5000).Resolve(1000, s_now));
        Assert.Equal(500, CompactionTarget.At(500).Resolve(1000, s_now));
        Assert.Equal(1000, CompactionTarget.At(5000).Resolve(1000, s_now));
        Assert.Null(CompactionTarget.Current.Resolve(0, s_now));
    }

    [Fact]
    public void KeepWindow_CompactsAtTheNewestRevisionOlderThanTheWindow()
    {
        RevisionObservation[] history = [new(s_now.AddHours(-3), 100), new(s_now.AddHours(-2), 200), new(s_now.AddMinutes(-30), 300)];

        Assert.Equal(200, CompactionTarget.KeepWindow(TimeSpan.FromHours(1), history).Resolve(400, s_now));
        Assert.Null(CompactionTarget.KeepWindow(TimeSpan.FromHours(5), history).Resolve(400, s_now));
    }
}
