using System.Globalization;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class TypedValueTests
{
    [Theory]
    [InlineData("3221225472", 3221225472L)]
    [InlineData("3Gi", 3221225472L)]
    [InlineData("3GiB", 3221225472L)]
    [InlineData("3gib", 3221225472L)]
    [InlineData("8GB", 8000000000L)]
    [InlineData("8G", 8000000000L)]
    [InlineData("512Mi", 536870912L)]
    [InlineData("1.5GiB", 1610612736L)]
    [InlineData(" 16 MiB ", 16777216L)]
    [InlineData("0", 0L)]
    public void QuotaBackendBytes_Parse_AcceptsBytesAndUnits(string text, long bytes)
    {
        Assert.Equal(bytes, QuotaBackendBytes.Parse(text).Bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-1")]
    [InlineData("3XB")]
    [InlineData("1.3")]
    [InlineData("99999999999999Ti")]
    [InlineData("3 Gi B")]
    public void QuotaBackendBytes_Parse_RefusesWhatIsNotAByteCount(string text)
    {
        Assert.False(QuotaBackendBytes.TryParse(text, out _));
        Assert.Throws<FormatException>(() => QuotaBackendBytes.Parse(text));
    }

    [Fact]
    public void QuotaBackendBytes_WritesAnIntegerAndPrintsForPeople()
    {
        var quota = QuotaBackendBytes.Parse("3Gi");

        Assert.Equal("3221225472", quota.ToString());
        Assert.Equal("3 GiB", quota.ToDisplayString());
        Assert.Equal("default (2 GiB)", new QuotaBackendBytes(0).ToDisplayString());
        Assert.Equal(2L << 30, new QuotaBackendBytes(0).EffectiveBytes);
        Assert.True(QuotaBackendBytes.Parse("9Gi") > QuotaBackendBytes.SuggestedMaximum);
        Assert.True(new QuotaBackendBytes(0) > QuotaBackendBytes.Parse("1Gi"));
        Assert.True(new QuotaBackendBytes(0) < QuotaBackendBytes.Parse("2Gi"));
        Assert.NotEqual(new QuotaBackendBytes(0), QuotaBackendBytes.EtcdDefault);
    }

    [Theory]
    [InlineData("periodic", "1h", AutoCompactionMode.Periodic, 3600.0)]
    [InlineData("periodic", "5", AutoCompactionMode.Periodic, 18000.0)]
    [InlineData("periodic", "1h30m", AutoCompactionMode.Periodic, 5400.0)]
    [InlineData("periodic", "1.5h", AutoCompactionMode.Periodic, 5400.0)]
    [InlineData("periodic", "30s", AutoCompactionMode.Periodic, 30.0)]
    [InlineData(null, "10m", AutoCompactionMode.Periodic, 600.0)]
    [InlineData("revision", "1000", AutoCompactionMode.Revision, null)]
    public void AutoCompaction_Parse_ReadsAsEtcdDoes(string? mode, string retention, AutoCompactionMode expectedMode, double? seconds)
    {
        var compaction = AutoCompaction.Parse(mode, retention);

        Assert.Equal(expectedMode, compaction.Mode);
        Assert.Equal(retention, compaction.Retention);
        Assert.Equal(seconds, compaction.Period?.TotalSeconds);
    }

    [Theory]
    [InlineData("revision", "1h")]
    [InlineData("revision", "-5")]
    [InlineData("periodic", "an hour")]
    [InlineData("periodic", "-1h")]
    [InlineData("hourly", "1")]
    [InlineData("periodic", "h")]
    public void AutoCompaction_Parse_RefusesMismatchedValues(string mode, string retention)
    {
        Assert.Throws<FormatException>(() => AutoCompaction.Parse(mode, retention));
    }

    [Fact]
    public void AutoCompaction_Factories_WriteWhatEtcdReads()
    {
        Assert.Equal("1h30m", AutoCompaction.Periodic(TimeSpan.FromMinutes(90)).Retention);
        Assert.Equal("1h", AutoCompaction.Periodic(TimeSpan.FromHours(1)).Retention);
        Assert.Equal("0", AutoCompaction.Periodic(TimeSpan.Zero).Retention);
        Assert.True(AutoCompaction.Periodic(TimeSpan.Zero).IsDisabled);
        Assert.Equal("10000", AutoCompaction.Revision(10000).Retention);
        Assert.Equal("revision", AutoCompaction.Revision(10000).ModeText);
        Assert.Throws<ArgumentOutOfRangeException>(() => AutoCompaction.Revision(-1));
        foreach (var minutes in new[] { 1, 59, 61, 600, 1441 })
        {
            var written = AutoCompaction.Periodic(TimeSpan.FromMinutes(minutes));
            Assert.Equal(TimeSpan.FromMinutes(minutes), AutoCompaction.Parse("periodic", written.Retention).Period);
        }
    }

    [Fact]
    public void InitialCluster_Parse_GroupsSeveralUrlsPerMember()
    {
        var cluster = InitialCluster.Parse("a=https://10.0.0.1:2380,b=https://10.0.0.2:2380,a=https://[fd00::1]:2380", CultureInfo.InvariantCulture);

        Assert.Equal(["a", "b"], cluster.Members.Select(m => m.Name));
        Assert.Equal(["https://10.0.0.1:2380", "https://[fd00::1]:2380"], cluster.Find("a")!.PeerUrls);
        Assert.Equal("a=https://10.0.0.1:2380,a=https://[fd00::1]:2380,b=https://10.0.0.2:2380", cluster.ToString());
        Assert.Equal(cluster, InitialCluster.Parse(cluster.ToString(), CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("")]
    [InlineData("a")]
    [InlineData("=https://10.0.0.1:2380")]
    [InlineData("a=")]
    [InlineData("a=10.0.0.1:2380")]
    [InlineData("a=https://10.0.0.1")]
    [InlineData("a=https://10.0.0.1:2380/path")]
    [InlineData("a=ftp://10.0.0.1:2380")]
    [InlineData("a=https://10.0.0.1:2380,b=https://10.0.0.1:2380")]
    public void InitialCluster_Parse_RefusesWhatEtcdRefuses(string text)
    {
        Assert.False(InitialCluster.TryParse(text, out _));
    }

    [Fact]
    public void InitialCluster_WithAndWithoutMember_KeepOrderAndUniqueness()
    {
        var cluster = InitialCluster.Parse("a=https://10.0.0.1:2380,b=https://10.0.0.2:2380", CultureInfo.InvariantCulture);

        var replaced = cluster.WithMember("b", ["https://10.0.0.9:2380"]).WithMember("c", ["https://10.0.0.3:2380"]);

        Assert.Equal("a=https://10.0.0.1:2380,b=https://10.0.0.9:2380,c=https://10.0.0.3:2380", replaced.ToString());
        Assert.Equal("a=https://10.0.0.1:2380", cluster.WithoutMember("b").ToString());
        Assert.Throws<ArgumentException>(() => new InitialCluster([new InitialClusterMember("a", ["https://x:1"]), new InitialClusterMember("a", ["https://y:1"])]));
        Assert.Throws<ArgumentException>(() => cluster.WithoutMember("a").WithoutMember("b"));
        Assert.Throws<ArgumentException>(() => new InitialClusterMember("a=b", ["https://x:1"]));
    }
}
