using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Hosting;

/// <summary>The static-pod host's file handling, in temp directories standing for /etc/kubernetes (no kubelet involved).</summary>
public sealed class KubeletStaticPodHostTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("kubelet-host-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string WriteManifest()
    {
        var path = Path.Combine(_root, "manifests", "etcd.yaml");
        LocalProcessEtcdHost.WriteManifest(path, "cp-1", ["--name=cp-1", "--data-dir=/var/lib/etcd", "--quota-backend-bytes=2147483648"]);
        return path;
    }

    [Fact]
    public async Task StopMovesTheManifestOutOfTheKubeletDirectory_AndStartPutsItBack()
    {
        var manifest = WriteManifest();
        var host = new KubeletStaticPodHost(manifest, KubeletStopMode.MoveManifest, Path.Combine(_root, "parked"));

        await host.StopAsync();
        await host.StopAsync();

        Assert.False(File.Exists(manifest));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(manifest)!));
        Assert.True(File.Exists(host.ParkedManifestPath));
        Assert.False(await host.IsStartedAsync());
        Assert.Equal("cp-1", (await host.LoadManifestAsync()).GetName());

        await host.StartAsync();

        Assert.True(File.Exists(manifest));
        Assert.True(await host.IsStartedAsync());
    }

    [Fact]
    public void ParkingInsideTheManifestsDirectory_IsRefused()
    {
        var manifest = WriteManifest();

        var error = Assert.Throws<ArgumentException>(() => new KubeletStaticPodHost(manifest, parkingDirectory: Path.Combine(_root, "manifests", "parked")));

        Assert.Contains("kubelet would run the parked manifest", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveManifest_KeepsTheBackupOutOfTheManifestsDirectory()
    {
        var manifest = WriteManifest();
        var backups = Path.Combine(_root, "backups");
        var host = new KubeletStaticPodHost(manifest, parkingDirectory: Path.Combine(_root, "parked"), saveOptions: new ManifestSaveOptions { BackupDirectory = backups });

        var edited = (await host.LoadManifestAsync()).SetQuotaBackendBytes(QuotaBackendBytes.Parse("4GiB"));
        var result = await host.SaveManifestAsync(edited);

        Assert.True(result.Written);
        Assert.Single(Directory.GetFiles(Path.GetDirectoryName(manifest)!));
        Assert.StartsWith(backups, result.BackupPath, StringComparison.Ordinal);
        Assert.Equal("4294967296", EtcdManifest.Load(manifest).GetFlag("quota-backend-bytes"));
    }

    [Fact]
    public async Task ArchiveDataDirectory_RenamesWithATimestamp_NeverDeletes()
    {
        var data = Path.Combine(_root, "var-lib-etcd");
        Directory.CreateDirectory(Path.Combine(data, "member"));
        File.WriteAllText(Path.Combine(data, "member", "db"), "data");
        var host = new KubeletStaticPodHost(WriteManifest(), parkingDirectory: Path.Combine(_root, "parked"));

        var first = await host.ArchiveDataDirectoryAsync(data);
        Directory.CreateDirectory(data);
        var second = await host.ArchiveDataDirectoryAsync(data);

        Assert.Equal("data", File.ReadAllText(Path.Combine(first!, "member", "db")));
        Assert.NotEqual(first, second);
        Assert.True(Directory.Exists(second));
    }
}
