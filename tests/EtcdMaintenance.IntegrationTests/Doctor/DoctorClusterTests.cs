using System.Text.Json;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Doctor;

public sealed class DoctorClusterFixture : IAsyncLifetime
{
    public EtcdTestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>etcd-doctor as a real process against a real 3-member cluster: idempotent outcomes, etcdctl's flags, JSON shapes, tables.</summary>
public sealed class DoctorClusterTests(DoctorClusterFixture fixture) : IClassFixture<DoctorClusterFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    private EtcdTestCluster Cluster => fixture.Cluster;

    private Task<(int ExitCode, string Stdout, string Stderr)> DoctorAsync(params string[] arguments) =>
        EtcdDoctorProcess.RunAsync(s_timeout, [.. arguments, $"--endpoints={Cluster.Endpoints}"]);

    [Fact]
    public async Task CompactTwiceAtTheSameRevision_SecondExitsZero_SayingItIsAlreadyCompacted()
    {
        await using var client = Cluster.CreateClient();
        for (var i = 0; i < 5; i++)
        {
            await client.PutAsync($"/doctor/compact/{i}", "v"u8.ToArray());
        }

        var revision = (await client.GetClusterStatusAsync()).MaxRevision!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture);

        var first = await DoctorAsync("compact", revision);
        var second = await DoctorAsync("compact", revision, "-o", "json");

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Contains($"compacted revision {revision}", first.Stdout, StringComparison.Ordinal);
        Assert.True(second.ExitCode == 0, second.Stderr);
        using var json = JsonDocument.Parse(second.Stdout);
        Assert.True(json.RootElement.GetProperty("alreadyCompacted").GetBoolean());
        Assert.Equal(long.Parse(revision, System.Globalization.CultureInfo.InvariantCulture), json.RootElement.GetProperty("revision").GetInt64());
    }

    [Fact]
    public async Task CheckConsistencyJson_CarriesEachMembersIdAsANumberAndHex()
    {
        var (exitCode, stdout, stderr) = await DoctorAsync("check-consistency", "-o", "json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(3, members.Count);
        Assert.All(members, m => Assert.Equal(new MemberId(m.GetProperty("id").GetUInt64()).ToString(), m.GetProperty("idHex").GetString()));
    }

    [Fact]
    public async Task User_AgainstAClusterWithoutAuth_IsAccepted_AsEtcdctlAcceptsIt()
    {
        // What etcdctl does with --user on a cluster whose auth is off: the call succeeds.
        var etcdctl = await Cluster.RunEtcdctlAsync(["--user", "root:whatever", "alarm", "list"], asRoot: false);
        Assert.True(etcdctl.ExitCode == 0, etcdctl.Stderr);

        var (exitCode, _, stderr) = await DoctorAsync("alarm", "list", "--user", "root:whatever", "-o", "json");

        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task RepeatedEndpoints_AreAllUsed_AndStatusJsonCarriesIdsAsNumbersAndHex()
    {
        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(s_timeout, "status", "-w", "json",
            "--endpoints", Cluster.Members[0].ClientUrl, "--endpoints", $"{Cluster.Members[1].ClientUrl},{Cluster.Members[2].ClientUrl}");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var entries = json.RootElement.EnumerateArray().ToList();
        Assert.Equal(Cluster.Members.Select(m => m.ClientUrl), entries.Select(e => e.GetProperty("endpoint").GetString()));
        await using var client = Cluster.CreateClient();
        var members = (await client.ListMembersAsync()).Members;
        Assert.All(entries, e =>
        {
            var status = e.GetProperty("status");
            var id = status.GetProperty("memberId").GetUInt64();
            Assert.Contains(members, m => m.Id.Value == id);
            Assert.Equal(id.ToString("x", System.Globalization.CultureInfo.InvariantCulture), status.GetProperty("memberIdHex").GetString());
        });
    }

    [Fact]
    public async Task StatusTable_FitsEightyColumns_AndWideShowsEveryColumn()
    {
        var narrow = await DoctorAsync("status");
        var wide = await DoctorAsync("status", "-w", "wide");

        Assert.True(narrow.ExitCode == 0, narrow.Stderr);
        var lines = narrow.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(1 + Cluster.Members.Count, lines.Count(l => l.Contains("127.0.0.1", StringComparison.Ordinal) || l.Contains("ENDPOINT", StringComparison.Ordinal)));
        Assert.All(lines, l => Assert.True(l.TrimEnd().Length <= 80, $"{l.TrimEnd().Length} columns: {l}"));
        Assert.True(wide.ExitCode == 0, wide.Stderr);
        Assert.Contains("APPLIED", wide.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefragCluster_DoesNotClaimThatWritesWork_WithoutAProbeWrite()
    {
        var (exitCode, stdout, stderr) = await DoctorAsync("defrag", "--cluster");

        Assert.True(exitCode == 0, stderr);
        Assert.DoesNotContain("Writes work again", stdout, StringComparison.Ordinal);
        Assert.Contains("Done.", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task DefragDryRun_ChangesNothing_AndAcceptsEtcdDefragRules()
    {
        var (exitCode, stdout, stderr) = await DoctorAsync("defrag", "--dry-run", "--policy", "dbQuotaUsage > 0.8 || dbSize - dbSizeInUse > 200MiB", "-o", "json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(Cluster.Members.Count, json.RootElement.GetArrayLength());
        Assert.All(json.RootElement.EnumerateArray(), e => Assert.False(e.GetProperty("defragmented").GetBoolean()));
    }

    [Fact]
    public async Task ParseWithDashWJson_PrintsJson()
    {
        var table = await Cluster.EtcdctlAsync(["endpoint", "status", "-w", "table"]);

        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunWithInputAsync(s_timeout, table, "parse", "-w", "json");

        Assert.True(exitCode == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(Cluster.Members.Count, json.RootElement.GetProperty("endpoints").GetArrayLength());
    }

    [Fact]
    public async Task Check_TakesTheQuotaWithUnits_AndPrintsIdsAsNumbersAndHex()
    {
        var (exitCode, stdout, stderr) = await DoctorAsync("check", "--quota-backend-bytes=2GiB", "-o", "json");

        Assert.True(exitCode is 0 or 2, stderr);
        using var json = JsonDocument.Parse(stdout);
        var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(Cluster.Members.Count, members.Count);
        Assert.All(members, m =>
        {
            Assert.Equal(m.GetProperty("memberId").GetUInt64().ToString("x", System.Globalization.CultureInfo.InvariantCulture), m.GetProperty("memberIdHex").GetString());
            var status = m.GetProperty("status");
            Assert.Equal(2L << 30, status.GetProperty("dbSizeQuota").GetInt64());
            Assert.Equal((double)status.GetProperty("dbSize").GetInt64() / (2L << 30), status.GetProperty("quotaUsage").GetDouble(), 6);
        });
    }
}
