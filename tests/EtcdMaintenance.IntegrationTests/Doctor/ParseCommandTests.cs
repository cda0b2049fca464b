using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Doctor;

/// <summary>`etcd-doctor parse` as the drop-in for the egrep pipeline, fed real etcdctl output.</summary>
public sealed class ParseCommandTests
{
    [Fact]
    public async Task ParseRevision_PrintsTheRevisionToCompactAt_FromRealJson_AndRefusesTables()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3 });
        await using var client = cluster.CreateClient();
        await client.PutAsync("/parse/a", "1"u8.ToArray());
        var expected = (await client.GetClusterStatusAsync()).MaxRevision;
        var json = await cluster.EtcdctlAsync(["endpoint", "status", "-w", "json"]);
        var table = await cluster.EtcdctlAsync(["endpoint", "status", "-w", "table"]);

        var fromJson = await EtcdDoctorProcess.RunWithInputAsync(TimeSpan.FromMinutes(1), json, "parse", "--revision");
        var fromTable = await EtcdDoctorProcess.RunWithInputAsync(TimeSpan.FromMinutes(1), table, "parse", "--revision");
        var normalized = await EtcdDoctorProcess.RunWithInputAsync(TimeSpan.FromMinutes(1), table, "parse", "-o", "json");

        Assert.Equal(0, fromJson.ExitCode);
        Assert.Equal(expected.ToString(), fromJson.Stdout.Trim());
        Assert.Equal(1, fromTable.ExitCode);
        Assert.Contains("revision", fromTable.Stderr, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, normalized.ExitCode);
        Assert.All(cluster.Members, m => Assert.Contains(m.ClientUrl.Replace("http://", string.Empty, StringComparison.Ordinal), normalized.Stdout, StringComparison.Ordinal));
    }
}
