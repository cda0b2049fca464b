using System.Globalization;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>The SSH member host against a real OpenSSH server on loopback: node-side steps, and every refusal.</summary>
public sealed class SshEtcdMemberHostTests
{
    private const string Node = "127.0.0.1";

    [Fact]
    public async Task ConnectionRefusals_AreTypedErrorsNamingNodeAndStep_AndChangeNothing()
    {
        await using var server = await SshTestServer.StartAsync();
        var node = NodeLayout.Create(server.Root);
        var knownHostsBefore = File.ReadAllText(server.KnownHosts);

        // A key the node does not authorize.
        var stranger = Path.Combine(server.Root, "stranger_key");
        await SshTestServer.KeygenAsync(stranger);
        await AssertRefusedAsync(node, server.Options(o => Change(o, key: stranger)), EtcdHostErrorCode.AuthenticationFailed, "connect");

        // An authorized key protected by a passphrase: refused without it, accepted with it.
        var locked = Path.Combine(server.Root, "locked_key");
        await SshTestServer.KeygenAsync(locked, "correct horse");
        File.AppendAllText(Path.Combine(server.Root, "authorized_keys"), File.ReadAllText(locked + ".pub"));
        await AssertRefusedAsync(node, server.Options(o => Change(o, key: locked)), EtcdHostErrorCode.AuthenticationFailed, "connect");
        await using (var unlocked = node.Host(server.Options(o => Change(o, key: locked, passphrase: "correct horse"))))
        {
            Assert.True(await unlocked.IsStartedAsync());
        }

        // A node missing from known_hosts: refused, and the file is not created.
        var empty = Path.Combine(server.Root, "no-such-dir", "known_hosts");
        await AssertRefusedAsync(node, server.Options(o => Change(o, knownHosts: empty)), EtcdHostErrorCode.HostKeyUnknown, "host key check");
        Assert.False(File.Exists(empty));

        // Another key recorded for the node: refused, even when accepting new keys.
        var other = Path.Combine(server.Root, "other_host_key");
        await SshTestServer.KeygenAsync(other);
        var changed = Path.Combine(server.Root, "known_hosts.changed");
        var otherKey = File.ReadAllText(other + ".pub").Split(' ');
        File.WriteAllText(changed, $"[{Node}]:{server.Port} {otherKey[0]} {otherKey[1]}\n");
        var error = await AssertRefusedAsync(node, server.Options(o => Change(o, knownHosts: changed, acceptNew: true)), EtcdHostErrorCode.HostKeyChanged, "host key check");
        Assert.Contains("SHA256:", error.Message, StringComparison.Ordinal);
        Assert.Equal($"[{Node}]:{server.Port} {otherKey[0]} {otherKey[1]}\n", File.ReadAllText(changed));

        // Nothing listening.
        await AssertRefusedAsync(node, server.Options(o => Change(o, port: FreePorts.Next())), EtcdHostErrorCode.Unreachable, "connect");

        Assert.Equal(knownHostsBefore, File.ReadAllText(server.KnownHosts));
        node.AssertUntouched();
    }

    [Fact]
    public async Task AcceptNewHostKeys_RecordsTheKeyOwnerOnly_AndTheNextConnectionTrustsItWithoutTheOptIn()
    {
        await using var server = await SshTestServer.StartAsync();
        var node = NodeLayout.Create(server.Root);
        var knownHosts = Path.Combine(server.Root, "fresh", "known_hosts");

        await using (var host = node.Host(server.Options(o => Change(o, knownHosts: knownHosts, acceptNew: true))))
        {
            Assert.True(await host.IsStartedAsync());
        }

        var hostKey = File.ReadAllText(server.HostPublicKey).Split(' ');
        Assert.Equal($"[{Node}]:{server.Port} {hostKey[0]} {hostKey[1]}\n", File.ReadAllText(knownHosts));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(knownHosts));
        await using (var again = node.Host(server.Options(o => Change(o, knownHosts: knownHosts))))
        {
            Assert.True(await again.IsStartedAsync());
        }

        Assert.Single(File.ReadAllLines(knownHosts));
    }

    [Fact]
    public async Task ManifestMissing_AndSudoRefused_AreTypedErrors_AndChangeNothing()
    {
        await using var server = await SshTestServer.StartAsync();
        var node = NodeLayout.Create(server.Root);

        await using (var missing = new SshEtcdMemberHost(Node, server.Options(), node.Paths(manifest: Path.Combine(node.Manifests, "absent.yaml"))))
        {
            var load = await Assert.ThrowsAsync<EtcdHostException>(() => missing.LoadManifestAsync());
            Assert.Equal((EtcdHostErrorCode.ManifestMissing, "load manifest", Node), (load.ErrorCode, load.Step, load.Node));
            var start = await Assert.ThrowsAsync<EtcdHostException>(() => missing.StartAsync());
            Assert.Equal(EtcdHostErrorCode.ManifestMissing, start.ErrorCode);
        }

        // sudo -n as a user without password-less rights prints "sudo: a password is required" and exits 1; this stand-in
        // on the session's PATH does exactly that, so the refusal path runs against the real sshd.
        var sudo = Path.Combine(server.BinDirectory, "sudo");
        File.WriteAllText(sudo, "#!/bin/sh\necho 'sudo: a password is required' >&2\nexit 1\n");
        File.SetUnixFileMode(sudo, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        await AssertRefusedAsync(node, server.Options(o => Change(o, sudo: true)), EtcdHostErrorCode.SudoRefused, "sudo check");
        node.AssertUntouched();
    }

    [Fact]
    public async Task NodeSteps_ParkAndRestoreTheManifest_SaveAtomicallyKeepingModeWithAnOwnerOnlyBackupOutside_AndArchiveWithoutDeleting()
    {
        await using var server = await SshTestServer.StartAsync();
        var node = NodeLayout.Create(server.Root);
        var clock = new FixedClock(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero));
        await using var host = new SshEtcdMemberHost(Node, server.Options(), node.Paths(), timeProvider: clock);

        // Save: the diff, the new text in place with the old mode, an owner-only backup outside the manifests directory.
        var manifest = await host.LoadManifestAsync();
        Assert.Equal($"{Node}:{node.Manifest}", manifest.SourceName);
        var edited = manifest.SetQuotaBackendBytes(QuotaBackendBytes.Parse("8GiB"));
        var dry = await host.SaveManifestAsync(edited, dryRun: true);
        Assert.False(dry.Written);
        Assert.Equal(node.Original, File.ReadAllText(node.Manifest));
        var saved = await host.SaveManifestAsync(edited);
        Assert.True(saved.Written);
        Assert.Contains("+    - --quota-backend-bytes=8589934592", saved.Diff, StringComparison.Ordinal);
        Assert.Equal(edited.Text, File.ReadAllText(node.Manifest));
        Assert.Equal(NodeLayout.ManifestMode, File.GetUnixFileMode(node.Manifest));
        Assert.Equal(Path.Combine(node.Backups, "etcd.yaml.20261130T100000.000Z.bak"), saved.BackupPath);
        Assert.Equal(node.Original, File.ReadAllText(saved.BackupPath!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(saved.BackupPath!));
        Assert.Equal(["etcd.yaml"], Directory.GetFiles(node.Manifests).Select(Path.GetFileName));
        Assert.Empty(Directory.GetFiles(node.Staging));

        // A manifest changed on the node since it was loaded is not overwritten.
        var stale = (await host.LoadManifestAsync()).SetQuotaBackendBytes(QuotaBackendBytes.Parse("4GiB"));
        File.AppendAllText(node.Manifest, "# edited by hand\n");
        var changedOnNode = await Assert.ThrowsAsync<EtcdHostException>(() => host.SaveManifestAsync(stale));
        Assert.Equal(EtcdHostErrorCode.ManifestChangedOnNode, changedOnNode.ErrorCode);
        Assert.EndsWith("# edited by hand\n", File.ReadAllText(node.Manifest), StringComparison.Ordinal);

        // The data dir is not moved while the member is meant to run.
        var running = await Assert.ThrowsAsync<EtcdHostException>(() => host.ArchiveDataDirectoryAsync(node.DataDir));
        Assert.Equal(EtcdHostErrorCode.MemberRunning, running.ErrorCode);

        // Stop parks the manifest outside the manifests directory; start puts it back; both idempotent.
        await host.StopAsync();
        await host.StopAsync();
        Assert.False(await host.IsStartedAsync());
        Assert.Empty(Directory.GetFiles(node.Manifests));
        Assert.True(File.Exists(host.ParkedManifestPath));
        Assert.Equal("8589934592", (await host.LoadManifestAsync()).GetFlag("quota-backend-bytes"));

        // Archive: renamed beside, never deleted; an existing target is refused.
        var archived = await host.ArchiveDataDirectoryAsync(node.DataDir);
        Assert.Equal(node.DataDir + ".replaced-20261130T100000Z", archived);
        Assert.True(File.Exists(Path.Combine(archived!, "member", "snap", "db")));
        Assert.False(Directory.Exists(node.DataDir));
        Assert.Null(await host.ArchiveDataDirectoryAsync(node.DataDir));
        Directory.CreateDirectory(Path.Combine(node.DataDir, "member"));
        var exists = await Assert.ThrowsAsync<EtcdHostException>(() => host.ArchiveDataDirectoryAsync(node.DataDir));
        Assert.Equal(EtcdHostErrorCode.TargetExists, exists.ErrorCode);
        Assert.True(Directory.Exists(Path.Combine(node.DataDir, "member")));

        await host.StartAsync();
        await host.StartAsync();
        Assert.True(await host.IsStartedAsync());
        Assert.False(File.Exists(host.ParkedManifestPath));
    }

    [Fact]
    public async Task ArchiveDataDirectory_OnAMountPoint_MovesItsMemberDirectoryAsideInsideIt()
    {
        await using var server = await SshTestServer.StartAsync();
        var node = NodeLayout.Create(server.Root);
        var disk = Path.Combine(server.Root, "etcd-disk");
        Directory.CreateDirectory(disk);
        await RunAsync("mount", "-t", "tmpfs", "tmpfs", disk);
        try
        {
            Directory.CreateDirectory(Path.Combine(disk, "member", "wal"));
            await using var host = new SshEtcdMemberHost(Node, server.Options(), node.Paths(), timeProvider: new FixedClock(new DateTimeOffset(2026, 11, 30, 10, 0, 0, TimeSpan.Zero)));
            await host.StopAsync();

            var archived = await host.ArchiveDataDirectoryAsync(disk);

            Assert.Equal(Path.Combine(disk, "member.replaced-20261130T100000Z"), archived);
            Assert.True(Directory.Exists(Path.Combine(archived!, "wal")));
            Assert.False(Directory.Exists(Path.Combine(disk, "member")));
        }
        finally
        {
            await RunAsync("umount", disk);
        }
    }

    private static async Task<EtcdHostException> AssertRefusedAsync(NodeLayout node, SshConnectionOptions options, EtcdHostErrorCode code, string step)
    {
        await using var host = node.Host(options);
        var error = await Assert.ThrowsAsync<EtcdHostException>(() => host.StopAsync());
        Assert.Equal((code, step, Node), (error.ErrorCode, error.Step, error.Node));
        Assert.Contains(Node, error.Message, StringComparison.Ordinal);
        Assert.Contains(step, error.Message, StringComparison.Ordinal);
        node.AssertUntouched();
        return error;
    }

    private static SshConnectionOptions Change(SshConnectionOptions o, string? key = null, string? passphrase = null, string? knownHosts = null, bool acceptNew = false, int? port = null, bool sudo = false) => new()
    {
        User = o.User,
        PrivateKeyFile = key ?? o.PrivateKeyFile,
        PrivateKeyPassphrase = passphrase,
        Port = port ?? o.Port,
        KnownHostsFile = knownHosts ?? o.KnownHostsFile,
        AcceptNewHostKeys = acceptNew,
        UseSudo = sudo,
        ConnectTimeout = o.ConnectTimeout,
        CommandTimeout = o.CommandTimeout,
    };

    private static async Task RunAsync(string program, params string[] arguments)
    {
        var start = new System.Diagnostics.ProcessStartInfo(program) { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = System.Diagnostics.Process.Start(start)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{program} {string.Join(' ', arguments)}: {error}");
    }

    /// <summary>A node's kubeadm-shaped files in a temp dir: manifests dir with etcd.yaml (mode 0640), data dir, and this library's dirs.</summary>
    private sealed class NodeLayout
    {
        public const UnixFileMode ManifestMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead;

        private NodeLayout(string root) => Root = root;

        public string Root { get; }

        public string Manifests => Path.Combine(Root, "kubernetes", "manifests");

        public string Manifest => Path.Combine(Manifests, "etcd.yaml");

        public string Staging => Path.Combine(Root, "kubernetes", "etcd-maintenance", "staging");

        public string Backups => Path.Combine(Root, "backups");

        public string DataDir => Path.Combine(Root, "var-lib-etcd");

        public string Original { get; private set; } = string.Empty;

        public static NodeLayout Create(string serverRoot)
        {
            var layout = new NodeLayout(Path.Combine(serverRoot, "node"));
            LocalProcessEtcdHost.WriteManifest(layout.Manifest, "cp-1", ["--name=cp-1", $"--data-dir={layout.DataDir}", "--quota-backend-bytes=2147483648"]);
            File.SetUnixFileMode(layout.Manifest, ManifestMode);
            layout.Original = File.ReadAllText(layout.Manifest);
            Directory.CreateDirectory(Path.Combine(layout.DataDir, "member", "snap"));
            File.WriteAllText(Path.Combine(layout.DataDir, "member", "snap", "db"), "bolt");
            return layout;
        }

        public StaticPodPaths Paths(string? manifest = null) => new()
        {
            ManifestPath = manifest ?? Manifest,
            ParkingDirectory = Path.Combine(Root, "kubernetes", "etcd-maintenance", "parked"),
            StagingDirectory = Staging,
            BackupDirectory = Backups,
        };

        public SshEtcdMemberHost Host(SshConnectionOptions options) => new(Node, options, Paths());

        public void AssertUntouched()
        {
            Assert.Equal(Original, File.ReadAllText(Manifest));
            Assert.Equal(["etcd.yaml"], Directory.GetFiles(Manifests).Select(Path.GetFileName));
            Assert.False(Directory.Exists(Backups));
            Assert.True(File.Exists(Path.Combine(DataDir, "member", "snap", "db")));
        }
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
