using System.Text.Json;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Doctor;

/// <summary>`etcd-doctor member ...` and `snapshot save` as real processes against a real 3-member cluster.</summary>
public sealed class DoctorMemberSnapshotTests(DoctorClusterFixture fixture) : IClassFixture<DoctorClusterFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    private EtcdTestCluster Cluster => fixture.Cluster;

    private Task<(int ExitCode, string Stdout, string Stderr)> DoctorAsync(params string[] arguments) =>
        EtcdDoctorProcess.RunAsync(s_timeout, [.. arguments, $"--endpoints={Cluster.Endpoints}"]);

    [Fact]
    public async Task MemberCommands_ListAddUpdatePromoteRemove_AgreeWithEtcdctl()
    {
        var peerPort = FreePorts.Next();
        var list = await DoctorAsync("member", "list", "-w", "json");
        Assert.True(list.ExitCode == 0, list.Stderr);
        using (var json = JsonDocument.Parse(list.Stdout))
        {
            var members = json.RootElement.GetProperty("members").EnumerateArray().ToList();
            Assert.Equal(Cluster.Members.Select(m => m.Name).Order(), members.Select(m => m.GetProperty("name").GetString()).Order());
            Assert.All(members, m => Assert.Equal(m.GetProperty("id").GetUInt64().ToString("x", System.Globalization.CultureInfo.InvariantCulture), m.GetProperty("idHex").GetString()));
        }

        // A learner that never starts: it cannot cost quorum, and etcd refuses to promote it.
        // etcd refuses member changes ("unhealthy cluster", exit code 2) until its peers have been connected for about 5 s.
        (int ExitCode, string Stdout, string Stderr) add = (-1, string.Empty, string.Empty);
        await Retry.UntilAsync(async () =>
        {
            add = await DoctorAsync("member", "add", "doctor-learner", $"--peer-urls=http://127.0.0.1:{peerPort}", "--learner", "-o", "json");
            return !(add.ExitCode == 2 && add.Stderr.Contains("unhealthy cluster", StringComparison.Ordinal));
        }, "etcd to accept member changes");
        Assert.True(add.ExitCode == 0, add.Stderr);
        using var added = JsonDocument.Parse(add.Stdout);
        var idHex = added.RootElement.GetProperty("member").GetProperty("idHex").GetString()!;
        Assert.True(added.RootElement.GetProperty("member").GetProperty("isLearner").GetBoolean());
        Assert.Contains($"doctor-learner=http://127.0.0.1:{peerPort}", added.RootElement.GetProperty("initialCluster").GetString(), StringComparison.Ordinal);
        Assert.Contains(idHex, await Cluster.EtcdctlAsync(["member", "list"]), StringComparison.Ordinal);

        var newPeerPort = FreePorts.Next();
        var update = await DoctorAsync("member", "update", idHex, $"--peer-urls=http://127.0.0.1:{newPeerPort}");
        var promote = await DoctorAsync("member", "promote", idHex);
        var remove = await DoctorAsync("member", "remove", idHex);
        var removeAgain = await DoctorAsync("member", "remove", idHex);

        Assert.True(update.ExitCode == 0, update.Stderr);
        Assert.Equal(1, promote.ExitCode);
        Assert.Contains("learner", Assert.Single(promote.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.True(remove.ExitCode == 0, remove.Stderr);
        Assert.Contains($"Member {idHex}", remove.Stdout, StringComparison.Ordinal);
        Assert.Equal(1, removeAgain.ExitCode);
        Assert.Contains($"no member '{idHex}'", removeAgain.Stderr, StringComparison.Ordinal);
        var after = await Cluster.EtcdctlAsync(["member", "list"]);
        Assert.DoesNotContain(idHex, after, StringComparison.Ordinal);
        Assert.Equal(Cluster.Members.Count, after.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    [Fact]
    public async Task SnapshotSave_WritesAVerifiedOwnerOnlyFile_AndNeverOverwritesOne()
    {
        var directory = Directory.CreateTempSubdirectory("etcd-doctor-snapshot-");
        try
        {
            var file = Path.Combine(directory.FullName, "backup.db");
            var endpoint = $"--endpoints={Cluster.Members[0].ClientUrl}";

            var saved = await EtcdDoctorProcess.RunAsync(s_timeout, "snapshot", "save", file, endpoint, "-o", "json");
            var length = new FileInfo(file).Length;
            var again = await EtcdDoctorProcess.RunAsync(s_timeout, "snapshot", "save", file, endpoint);
            var many = await DoctorAsync("snapshot", "save", Path.Combine(directory.FullName, "other.db"));

            Assert.True(saved.ExitCode == 0, saved.Stderr);
            using var json = JsonDocument.Parse(saved.Stdout);
            Assert.Equal(length, json.RootElement.GetProperty("size").GetInt64());
            Assert.Equal(64, json.RootElement.GetProperty("sha256").GetString()!.Length);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
            var status = await Cluster.RunEtcdctlAsync(["snapshot", "status", file, "-w", "json"]);
            Assert.True(status.ExitCode == 0, status.Stderr);
            Assert.Equal(1, again.ExitCode);
            Assert.Contains("exists", again.Stderr, StringComparison.Ordinal);
            Assert.Equal(length, new FileInfo(file).Length);
            Assert.Equal(1, many.ExitCode);
            Assert.Contains("one endpoint", many.Stderr, StringComparison.Ordinal);
            Assert.Equal(["backup.db"], directory.GetFiles().Select(f => f.Name));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
