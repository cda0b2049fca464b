using System.Text.Json;
using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.IntegrationTests.Doctor;

/// <summary>The main job, end to end: `etcd-doctor demo` as a real process against real etcd members it starts itself.</summary>
public sealed class DemoTests
{
    [Fact]
    public async Task Demo_FailsWritesWithNoSpace_RecoversThem_ReplacesAMember_RaisesTheQuota_AndLeavesNoProcessBehind()
    {
        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(4), "demo", "-o", "json");

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        using var outcome = JsonDocument.Parse(stdout);
        var root = outcome.RootElement;
        Assert.True(root.GetProperty("writesFailedBefore").GetBoolean());
        Assert.Equal("etcdserver: mvcc: database space exceeded", root.GetProperty("noSpaceError").GetString());
        Assert.Contains(root.GetProperty("findings").EnumerateArray(), f => f.GetString()!.Contains("NOSPACE", StringComparison.Ordinal));
        Assert.True(root.GetProperty("recovery").GetProperty("succeeded").GetBoolean());
        Assert.True(root.GetProperty("recovery").GetProperty("reclaimed").GetInt64() > 0);
        Assert.True(root.GetProperty("writesWorkAfter").GetBoolean());
        Assert.Equal("demo-2", root.GetProperty("replacedMember").GetString());
        Assert.NotEqual(root.GetProperty("oldMemberId").GetString(), root.GetProperty("newMemberId").GetString());
        Assert.True(root.GetProperty("consistentAfterReplacement").GetBoolean());
        Assert.True(root.GetProperty("writesWorkAtEnd").GetBoolean());
        Assert.Equal(["demo-1", "demo-2", "demo-3"], root.GetProperty("quotaRaisedOn").EnumerateArray().Select(m => m.GetString()).Order());
        Assert.True(root.GetProperty("writesWorkAfterQuotaRaise").GetBoolean());

        // The three first processes and those the replacement and the quota raise started: none is left.
        var pids = root.GetProperty("processIds").EnumerateArray().Select(p => p.GetInt32()).ToList();
        Assert.True(pids.Count > 3, $"only the first {pids.Count} processes were tracked");
        Assert.Empty(root.GetProperty("processesLeft").EnumerateArray());
        Assert.All(pids, pid => Assert.Null(LocalEtcdProcess.TryAttach(pid)));
    }

    [Fact]
    public async Task Demo_InterruptedWithSigterm_StopsEveryEtcdItStarted()
    {
        using var process = EtcdDoctorProcess.Start("demo");
        var seen = new List<string>();
        // Wait for a condition (the demo reaching its second step), not for time.
        using (var guard = new CancellationTokenSource(TimeSpan.FromMinutes(2)))
        {
            while (await process.StandardOutput.ReadLineAsync(guard.Token) is { } line)
            {
                seen.Add(line);
                if (line.StartsWith("2. Fill it", StringComparison.Ordinal))
                {
                    break;
                }
            }
        }

        var started = ChildEtcdProcesses(process.Id);
        Assert.Equal(3, started.Count);
        using (var kill = System.Diagnostics.Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await kill.WaitForExitAsync();
        }

        using var exit = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        await process.WaitForExitAsync(exit.Token);

        Assert.All(started, pid => Assert.Null(LocalEtcdProcess.TryAttach(pid)));
        Assert.Empty(ChildEtcdProcesses(process.Id));
    }

    /// <summary>The etcd processes whose parent is <paramref name="parent"/> (from /proc).</summary>
    private static List<int> ChildEtcdProcesses(int parent) =>
        [.. System.Diagnostics.Process.GetProcessesByName("etcd").Select(p => p.Id).Where(pid =>
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{pid}/stat");
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return int.Parse(fields[1], System.Globalization.CultureInfo.InvariantCulture) == parent;
            }
            catch (IOException)
            {
                return false;
            }
        })];
}
