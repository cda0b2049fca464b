using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Doctor;

/// <summary><c>etcd-doctor recover-space --checkpoint FILE</c> and <c>--resume FILE</c> on a real cluster.</summary>
public sealed class RecoverSpaceCheckpointTests
{
    [Fact]
    public async Task RecoverSpace_WritesItsCheckpointOwnerOnly_AndResumingACompletedRunDefragmentsNothing()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, QuotaBackendBytes = 16 * 1024 * 1024 });
        var path = Path.Combine(cluster.Root, "recovery.checkpoint.json");
        string[] recover = ["recover-space", "--endpoints", cluster.Endpoints];

        var (exitCode, _, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(2), [.. recover, "--checkpoint", path]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("defragmenting n1", stderr, StringComparison.Ordinal);   // progress, from the handle
        var checkpoint = await OperationCheckpoint.ReadAsync(path);
        Assert.True(checkpoint.IsCompleted);
        Assert.Equal("SpaceRecovery", checkpoint.Kind);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));

        var resumed = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(2), [.. recover, "--resume", path]);

        Assert.True(resumed.ExitCode == 0, resumed.Stderr);
        Assert.DoesNotContain("defragmenting", resumed.Stderr, StringComparison.Ordinal);
        var refused = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(2), [.. recover, "--resume", path, "--dry-run"]);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("--resume", refused.Stderr + refused.Stdout, StringComparison.Ordinal);
    }
}
