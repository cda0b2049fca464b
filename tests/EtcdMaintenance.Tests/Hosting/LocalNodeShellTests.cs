using System.Globalization;
using EtcdMaintenance.Hosting;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Tests.Hosting;

/// <summary>The shell that runs the systemd strategy's scripts on this node (<see cref="LocalSystemdMemberHost"/>).</summary>
public sealed class LocalNodeShellTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("local-shell-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public async Task Run_ReturnsTheExitCodeAndBothOutputs_AFailingScriptIsNotAnException()
    {
        var shell = new LocalNodeShell("node-a", TimeSpan.FromMinutes(1), NullLogger.Instance);

        var result = await shell.RunAsync("check", "printf 'out\\n'; printf 'err\\n' >&2; exit 3", CancellationToken.None);

        Assert.Equal(new NodeCommandResult(3, "out\n", "err\n"), result);
    }

    [Fact]
    public async Task Run_PastItsTimeout_KillsTheScriptAndItsChildren_AndNamesTheNodeAndTheStep()
    {
        var pidFile = Path.Combine(_root, "child.pid");
        var shell = new LocalNodeShell("node-a", TimeSpan.FromMilliseconds(300), NullLogger.Instance);

        var error = await Assert.ThrowsAsync<EtcdHostException>(() => shell.RunAsync("stop etcd.service", $"sleep 600 & echo $! > '{pidFile}'; wait", CancellationToken.None));

        Assert.Equal(("node-a", "stop etcd.service", EtcdHostErrorCode.Timeout), (error.Node, error.Step, error.ErrorCode));
        var child = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (IsRunning(child) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.False(IsRunning(child), $"the script's child {child} outlived the timeout");
    }

    [Fact]
    public async Task Run_Cancelled_ThrowsOperationCanceled()
    {
        var shell = new LocalNodeShell("node-a", TimeSpan.FromMinutes(1), NullLogger.Instance);
        using var cancel = new CancellationTokenSource();
        var run = shell.RunAsync("start etcd.service", "sleep 600", cancel.Token);

        await cancel.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public void LocalSystemdMemberHost_RefusesARelativeFlagFileAndANonPositiveTimeout()
    {
        Assert.Throws<ArgumentException>(() => new LocalSystemdMemberHost(new SystemdUnitOptions { Unit = "etcd.service", FlagFilePath = "etc/etcd.env" }));
        Assert.Throws<ArgumentException>(() => new LocalSystemdMemberHost(new SystemdUnitOptions { Unit = " " }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LocalSystemdMemberHost(new SystemdUnitOptions { Unit = "etcd.service" }, TimeSpan.Zero));
    }

    /// <summary>Alive and not a zombie (a killed child may wait to be reaped by an init that never does).</summary>
    private static bool IsRunning(int pid)
    {
        var stat = $"/proc/{pid}/stat";
        try
        {
            var text = File.ReadAllText(stat);
            return text[(text.LastIndexOf(')') + 2)] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
