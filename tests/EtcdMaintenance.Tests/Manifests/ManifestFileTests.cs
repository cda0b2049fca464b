using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed class ManifestFileTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("manifest-file-tests-").FullName;

    public ManifestFileTests()
    {
        Directory.CreateDirectory(ManifestsDirectory);
    }

    private string ManifestsDirectory => Path.Combine(_root, "etc", "kubernetes", "manifests");

    private string BackupDirectory => Path.Combine(_root, "backups");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private string WriteManifest(string text, string name = "etcd.yaml")
    {
        var path = Path.Combine(ManifestsDirectory, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public async Task SaveAsync_WritesTheEditAndABackupOutsideTheManifestsDirectory()
    {
        var original = ManifestSamples.Lf(ManifestSamples.Kubeadm);
        var path = WriteManifest(original);
        var edited = EtcdManifest.Load(path).SetQuotaBackendBytes(QuotaBackendBytes.Parse("4Gi"));
        var clock = new FixedClock(new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero));

        var result = await ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = BackupDirectory, TimeProvider = clock });

        Assert.True(result.Written);
        Assert.Equal(edited.Text, await File.ReadAllTextAsync(path));
        Assert.Equal(Path.Combine(BackupDirectory, "etcd.yaml.20250304T050607.890Z.bak"), result.BackupPath);
        Assert.Equal(original, await File.ReadAllTextAsync(result.BackupPath!));
        Assert.Equal(["etcd.yaml"], Directory.GetFiles(ManifestsDirectory).Select(Path.GetFileName));
        Assert.Equal(edited.GetDiff(), result.Diff);
        Assert.Contains("+    - --quota-backend-bytes=4294967296", result.Diff, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_BackupIsOwnerOnly()
    {
        var path = WriteManifest(ManifestSamples.Kubeadm);
        var edited = EtcdManifest.Load(path).SetFlag("snapshot-count", "1");

        var result = await ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = BackupDirectory });

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(result.BackupPath!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(BackupDirectory));
    }

    [Fact]
    public async Task SaveAsync_KeepsModeOwnerBomAndCrlf()
    {
        var original = ManifestSamples.CommentedCrlf;
        var path = WriteManifest(original);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var owner = Environment.UserName == "root" ? (4242u, 4343u) : (0u, 0u);
        if (Environment.UserName == "root")
        {
            Assert.Null(NativeMethods.Chown(path, owner.Item1, owner.Item2));
        }
        else
        {
            Assert.True(NativeMethods.TryGetOwner(path, out owner.Item1, out owner.Item2));
        }

        var edited = EtcdManifest.Load(path).SetFlag("quota-backend-bytes", "8589934592");
        await ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = BackupDirectory });

        var bytes = await File.ReadAllBytesAsync(path);
        Assert.Equal([0xEF, 0xBB, 0xBF], bytes[..3]);
        Assert.Equal(original.Replace("=2147483648", "=8589934592", StringComparison.Ordinal), System.Text.Encoding.UTF8.GetString(bytes));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.True(NativeMethods.TryGetOwner(path, out var uid, out var gid));
        Assert.Equal(owner, (uid, gid));
    }

    [Fact]
    public async Task SaveAsync_FileChangedOnDisk_RefusesAndWritesNothing()
    {
        var path = WriteManifest(ManifestSamples.Kubeadm);
        var edited = EtcdManifest.Load(path).SetFlag("snapshot-count", "1");
        var theirs = ManifestSamples.Kubeadm.Replace("--snapshot-count=10000", "--snapshot-count=5", StringComparison.Ordinal);
        await File.WriteAllTextAsync(path, theirs);

        var error = await Assert.ThrowsAsync<ManifestException>(() => ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = BackupDirectory }));

        Assert.Equal(ManifestErrorCode.ChangedOnDisk, error.ErrorCode);
        Assert.Equal(theirs, await File.ReadAllTextAsync(path));
        Assert.False(Directory.Exists(BackupDirectory));
    }

    [Fact]
    public async Task SaveAsync_DryRun_ReturnsTheDiffAndWritesNothing()
    {
        var path = WriteManifest(ManifestSamples.Kubeadm);
        var edited = EtcdManifest.Load(path).SetFlag("snapshot-count", "1");

        var result = await ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = BackupDirectory, DryRun = true });

        Assert.False(result.Written);
        Assert.Null(result.BackupPath);
        Assert.Contains("+    - --snapshot-count=1", result.Diff, StringComparison.Ordinal);
        Assert.Equal(ManifestSamples.Kubeadm, await File.ReadAllTextAsync(path));
        Assert.False(Directory.Exists(BackupDirectory));
    }

    [Theory]
    [InlineData("")]
    [InlineData("old")]
    public async Task SaveAsync_BackupDirectoryInsideTheManifestsDirectory_IsRefused(string subdirectory)
    {
        var path = WriteManifest(ManifestSamples.Kubeadm);
        var edited = EtcdManifest.Load(path).SetFlag("snapshot-count", "1");

        var error = await Assert.ThrowsAsync<ManifestException>(() =>
            ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = Path.Combine(ManifestsDirectory, subdirectory) }));

        Assert.Equal(ManifestErrorCode.BackupDirectoryNotAllowed, error.ErrorCode);
        Assert.Equal(ManifestSamples.Kubeadm, await File.ReadAllTextAsync(path));
        Assert.Equal(["etcd.yaml"], Directory.GetFileSystemEntries(ManifestsDirectory).Select(Path.GetFileName));
    }

    [Fact]
    public async Task SaveAsync_Unmodified_WritesNothing()
    {
        var path = WriteManifest(ManifestSamples.Kubeadm);
        var before = File.GetLastWriteTimeUtc(path);

        var result = await ManifestFile.SaveAsync(EtcdManifest.Load(path), new ManifestSaveOptions { BackupDirectory = BackupDirectory });

        Assert.False(result.Written);
        Assert.Equal(string.Empty, result.Diff);
        Assert.False(Directory.Exists(BackupDirectory));
        Assert.Equal(before, File.GetLastWriteTimeUtc(path));
    }

    [Fact]
    public async Task SaveAsync_ParsedFromText_IsRefused()
    {
        var edited = EtcdManifest.Parse(ManifestSamples.Kubeadm).SetFlag("snapshot-count", "1");

        var error = await Assert.ThrowsAsync<ManifestException>(() => ManifestFile.SaveAsync(edited));

        Assert.Equal(ManifestErrorCode.NoFile, error.ErrorCode);
    }

    [Fact]
    public async Task SaveAsync_ThroughASymlink_ReplacesTheTargetAndKeepsTheLink()
    {
        var real = Path.Combine(Directory.CreateDirectory(Path.Combine(_root, "srv")).FullName, "real-etcd.yaml");
        await File.WriteAllTextAsync(real, ManifestSamples.Kubeadm);
        var link = Path.Combine(ManifestsDirectory, "etcd.yaml");
        File.CreateSymbolicLink(link, real);
        var edited = EtcdManifest.Load(link).SetFlag("snapshot-count", "1");

        var result = await ManifestFile.SaveAsync(edited, new ManifestSaveOptions { BackupDirectory = BackupDirectory });

        Assert.Equal(real, result.Path);
        Assert.NotNull(new FileInfo(link).LinkTarget);
        Assert.Contains("--snapshot-count=1\n", await File.ReadAllTextAsync(link), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_TwoSavesInTheSameMillisecond_KeepBothBackups()
    {
        var path = WriteManifest(ManifestSamples.Kubeadm);
        var clock = new FixedClock(new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var options = new ManifestSaveOptions { BackupDirectory = BackupDirectory, TimeProvider = clock };

        var first = await ManifestFile.SaveAsync(EtcdManifest.Load(path).SetFlag("snapshot-count", "1"), options);
        var second = await ManifestFile.SaveAsync(EtcdManifest.Load(path).SetFlag("snapshot-count", "2"), options);

        Assert.NotEqual(first.BackupPath, second.BackupPath);
        Assert.Contains("--snapshot-count=1\n", await File.ReadAllTextAsync(second.BackupPath!), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SaveAsync_ConfigFileAndKubeadmConfig_SaveTheSameWay()
    {
        var etc = Directory.CreateDirectory(Path.Combine(_root, "etc", "etcd")).FullName;
        var configPath = Path.Combine(etc, "etcd.conf.yml");
        await File.WriteAllTextAsync(configPath, "name: a\nquota-backend-bytes: 2147483648\n");
        var kubeadmPath = Path.Combine(etc, "kubeadm.yaml");
        await File.WriteAllTextAsync(kubeadmPath, "apiVersion: kubeadm.k8s.io/v1beta3\nkind: ClusterConfiguration\n");
        var quota = QuotaBackendBytes.Parse("4Gi");
        var options = new ManifestSaveOptions { BackupDirectory = BackupDirectory };

        await ManifestFile.SaveAsync(EtcdConfigFile.Load(configPath).SetQuotaBackendBytes(quota), options);
        await ManifestFile.SaveAsync(KubeadmClusterConfiguration.Load(kubeadmPath).SetQuotaBackendBytes(quota), options);

        Assert.Equal(quota, EtcdConfigFile.Load(configPath).GetQuotaBackendBytes());
        Assert.Equal(quota, KubeadmClusterConfiguration.Load(kubeadmPath).GetQuotaBackendBytes());
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
