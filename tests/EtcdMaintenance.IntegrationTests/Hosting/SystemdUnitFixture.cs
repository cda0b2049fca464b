using System.Diagnostics;
using System.Globalization;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>Where a <see cref="SystemdUnitFixture"/> unit keeps its flags.</summary>
public enum SystemdFlagFileKind
{
    /// <summary>kubespray's <c>/etc/etcd.env</c>: the unit's <c>EnvironmentFile=</c>.</summary>
    EnvironmentFile,

    /// <summary>etcd's YAML configuration file, which the unit passes to <c>etcd --config-file</c>.</summary>
    ConfigFile,
}

/// <summary>
/// Test fixture: an etcd "systemd unit" on this machine, alone or one of a cluster. A <c>systemctl</c> stand-in (a shell
/// script, <see cref="Systemctl"/>) plays systemd's part for that one unit: <c>start</c> runs etcd with the variables of
/// the unit's environment file exported (as <c>EnvironmentFile=</c> does; its <c>#</c> and <c>;</c> comment lines skipped),
/// or with <c>--config-file</c> naming its configuration file; <c>stop</c> sends SIGTERM and waits for it to exit,
/// <c>restart</c>, <c>is-active --quiet</c> and <c>show --property=LoadState --value</c> as systemd's. The files are
/// shaped like kubespray's: comments, quoting and settings etcd does not read, to prove they stay byte for byte.
/// </summary>
public sealed class SystemdUnitFixture : IAsyncDisposable
{
    public const string Unit = "etcd-test.service";

    private SystemdUnitFixture(string name, string root, int clientPort, int peerPort, string systemctl, SystemdFlagFileKind kind)
    {
        Name = name;
        Root = root;
        ClientUrl = $"http://127.0.0.1:{clientPort}";
        PeerUrl = $"http://127.0.0.1:{peerPort}";
        Systemctl = systemctl;
        Kind = kind;
    }

    public string Name { get; }

    public string Root { get; }

    public string ClientUrl { get; }

    public string PeerUrl { get; }

    /// <summary>The systemctl stand-in (absolute path).</summary>
    public string Systemctl { get; }

    public SystemdFlagFileKind Kind { get; }

    public string EnvFile => Path.Combine(Root, "etc", "etcd.env");

    public string ConfigFile => Path.Combine(Root, "etc", "etcd", "etcd.conf.yml");

    /// <summary>The file that holds the unit's flags: <see cref="EnvFile"/> or <see cref="ConfigFile"/>.</summary>
    public string FlagFile => Kind == SystemdFlagFileKind.EnvironmentFile ? EnvFile : ConfigFile;

    public string DataDir => Path.Combine(Root, "var", "lib", "etcd");

    public string PidFile => Path.Combine(Root, "run", "etcd.pid");

    /// <summary>The flag file as the fixture wrote it.</summary>
    public string OriginalFlags { get; private set; } = string.Empty;

    /// <summary>The quota-backend-bytes the fixture wrote into <see cref="OriginalFlags"/>.</summary>
    public long OriginalQuota { get; private set; }

    /// <summary>The pid of the running etcd, or <see langword="null"/> when the unit is stopped.</summary>
    public int? Pid => File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && IsAlive(pid) ? pid : null;

    /// <summary>The unit's options for a host: this unit, its flag file and its systemctl stand-in.</summary>
    public SystemdUnitOptions Options => new() { Unit = Unit, FlagFilePath = FlagFile, SystemctlCommand = Systemctl };

    /// <summary>
    /// Starts a one-member unit under <paramref name="root"/>/node, its systemctl stand-in written to
    /// <paramref name="binDirectory"/> (an sshd session's PATH puts it before the real one).
    /// </summary>
    public static async Task<SystemdUnitFixture> StartAsync(string root, string binDirectory, long quotaBackendBytes, SystemdFlagFileKind kind = SystemdFlagFileKind.EnvironmentFile)
    {
        var fixture = new SystemdUnitFixture("sd1", Path.Combine(root, "node"), FreePorts.Next(), FreePorts.Next(), Path.Combine(binDirectory, "systemctl"), kind);
        try
        {
            await fixture.WriteAndStartAsync($"sd1={fixture.PeerUrl}", "k8s_etcd", quotaBackendBytes);
            await using var client = fixture.CreateClient();
            await WaitAsync(client, s => s.Reachable.Count == 1, $"{Unit} to answer at {fixture.ClientUrl}");
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts <paramref name="count"/> units (sd1, sd2...) under <paramref name="root"/>/sdN, each its own stand-in, as one cluster.</summary>
    public static async Task<IReadOnlyList<SystemdUnitFixture>> StartClusterAsync(string root, int count, long quotaBackendBytes)
    {
        var members = Enumerable.Range(1, count).Select(i =>
        {
            var memberRoot = Path.Combine(root, $"sd{i}");
            return new SystemdUnitFixture($"sd{i}", memberRoot, FreePorts.Next(), FreePorts.Next(), Path.Combine(memberRoot, "bin", "systemctl"), SystemdFlagFileKind.EnvironmentFile);
        }).ToList();
        var initialCluster = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
        try
        {
            foreach (var member in members)
            {
                await member.WriteAndStartAsync(initialCluster, Path.GetFileName(root), quotaBackendBytes);
            }

            await using var client = CreateClient(string.Join(',', members.Select(m => m.ClientUrl)));
            await WaitAsync(client, s => s.Reachable.Count == count && s.Reachable.Any(e => e.IsLeader), $"{count} units with a leader");
            return members;
        }
        catch
        {
            foreach (var member in members)
            {
                await member.DisposeAsync();
            }

            throw;
        }
    }

    public EtcdMaintenanceClient CreateClient() => CreateClient(ClientUrl);

    public static EtcdMaintenanceClient CreateClient(string endpoints) => new(new EtcdClientOptions
    {
        Endpoints = [endpoints],
        DialTimeout = TimeSpan.FromSeconds(2),
        CommandTimeout = TimeSpan.FromSeconds(5),
    });

    /// <summary>
    /// <see cref="OriginalFlags"/> with only its quota line saying <paramref name="quotaBackendBytes"/>: the flag file as a
    /// quota raise that changes nothing else leaves it.
    /// </summary>
    public string OriginalFlagsWithQuota(long quotaBackendBytes)
    {
        var line = Kind == SystemdFlagFileKind.EnvironmentFile ? "ETCD_QUOTA_BACKEND_BYTES={0}\n" : "quota-backend-bytes: {0}\n";
        var before = string.Format(CultureInfo.InvariantCulture, line, OriginalQuota);
        Assert.Contains(before, OriginalFlags, StringComparison.Ordinal);
        return OriginalFlags.Replace(before, string.Format(CultureInfo.InvariantCulture, line, quotaBackendBytes), StringComparison.Ordinal);
    }

    /// <summary>
    /// Asserts what a quota raise through this one-member unit's flag file leaves: the unit restarted (a new pid), only the
    /// quota line changed to <paramref name="newQuota"/>, the file's mode kept, an owner-only backup of the original under
    /// etcd-maintenance/backups, and <paramref name="keptKey"/> (written before the raise) still there.
    /// </summary>
    public async Task AssertQuotaRaisedThroughFlagFileAsync(
        QuotaRaiseReport report, QuotaBackendBytes newQuota, int? pidBefore, UnixFileMode modeBefore, EtcdMaintenanceClient client, string keptKey)
    {
        var member = Assert.Single(report.Members);
        Assert.True(member.Restarted, $"{Unit} was not restarted by the raise");
        Assert.NotNull(Pid);
        Assert.NotEqual(pidBefore, Pid);
        Assert.Equal(OriginalFlagsWithQuota(newQuota.Bytes), File.ReadAllText(FlagFile));
        Assert.Equal(modeBefore, File.GetUnixFileMode(FlagFile));
        var backup = member.BackupPath!;
        Assert.StartsWith(Path.Combine(Root, "etcd-maintenance", "backups"), backup, StringComparison.Ordinal);
        Assert.Equal(OriginalFlags, File.ReadAllText(backup));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(backup));
        Assert.True((await client.GetPrefixAsync(keptKey)).ContainsKey(keptKey), $"{keptKey}, acknowledged before the raise, is gone");
    }

    public async ValueTask DisposeAsync()
    {
        if (Pid is { } pid)
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

    private static async Task WaitAsync(EtcdMaintenanceClient client, Func<ClusterStatus, bool> ready, string what) =>
        await Retry.UntilAsync(async () =>
        {
            try
            {
                return ready(await client.GetClusterStatusAsync());
            }
            catch (EtcdException)
            {
                return false;
            }
        }, what, TimeSpan.FromSeconds(60));

    private static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    private async Task WriteAndStartAsync(string initialCluster, string token, long quotaBackendBytes)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FlagFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(PidFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(Systemctl)!);
        OriginalQuota = quotaBackendBytes;
        var quota = quotaBackendBytes.ToString(CultureInfo.InvariantCulture);
        OriginalFlags = (Kind == SystemdFlagFileKind.EnvironmentFile
            ? $"""
                # Environment file for etcd v3 (kubespray layout)
                ETCD_DATA_DIR={DataDir}
                ETCD_ADVERTISE_CLIENT_URLS={ClientUrl}
                ETCD_INITIAL_ADVERTISE_PEER_URLS={PeerUrl}
                ETCD_INITIAL_CLUSTER_STATE=new
                ETCD_LISTEN_CLIENT_URLS={ClientUrl}
                ETCD_LISTEN_PEER_URLS={PeerUrl}
                ETCD_NAME='{Name}'
                ETCD_INITIAL_CLUSTER_TOKEN="{token}"
                ; the quota, raised by the test
                ETCD_QUOTA_BACKEND_BYTES={quota}
                ETCD_INITIAL_CLUSTER={initialCluster}
                ETCD_HEARTBEAT_INTERVAL=100
                ETCD_ELECTION_TIMEOUT=1000
                ETCDCTL_API=3

                """
            : $"""
                # etcd configuration file (etcd --config-file), kubespray-like
                name: '{Name}'
                data-dir: {DataDir}
                listen-client-urls: {ClientUrl}
                advertise-client-urls: {ClientUrl}
                listen-peer-urls: {PeerUrl}
                initial-advertise-peer-urls: {PeerUrl}
                initial-cluster: {initialCluster}
                initial-cluster-state: new
                initial-cluster-token: "{token}"

                # the quota, raised by the test
                quota-backend-bytes: {quota}
                heartbeat-interval: 100
                election-timeout: 1000
                log-level: info

                """).ReplaceLineEndings("\n");
        File.WriteAllText(FlagFile, OriginalFlags);
        File.SetUnixFileMode(FlagFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        var run = Kind == SystemdFlagFileKind.EnvironmentFile
            ? $"set -a; eval \"$(grep -Ev '^[[:space:]]*([#;]|$)' '{EnvFile}')\"; set +a; exec setsid '{EtcdBinaries.Etcd}'"
            : $"exec setsid '{EtcdBinaries.Etcd}' --config-file '{ConfigFile}'";
        File.WriteAllText(Systemctl, $$"""
            #!/bin/sh
            # Test fixture standing in for systemctl, for the one unit {{Unit}} of {{Name}}.
            verb=$1; shift
            while [ "${1#-}" != "$1" ]; do shift; done
            if [ "$1" != {{Unit}} ]; then
              [ "$verb" = show ] && { echo not-found; exit 0; }
              echo "Unit $1 not found." >&2; exit 5
            fi
            pidfile='{{PidFile}}'
            alive() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }
            stop() {
              alive || return 0
              pid=$(cat "$pidfile"); kill -TERM "$pid"
              i=0
              while kill -0 "$pid" 2>/dev/null; do
                i=$((i + 1)); [ $i -lt 600 ] || { echo "etcd $pid did not stop" >&2; return 1; }
                sleep 0.1
              done
              rm -f "$pidfile"
            }
            start() {
              alive && return 0
              ( {{run}} >> '{{Path.Combine(Root, "etcd.log")}}' 2>&1 < /dev/null ) &
              echo $! > "$pidfile"
            }
            case $verb in
              start) start ;;
              stop) stop ;;
              restart) stop && start ;;
              is-active) alive ;;
              show) echo loaded ;;
              *) echo "unsupported: $verb" >&2; exit 2 ;;
            esac
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(Systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", [Systemctl, "start", Unit]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl stand-in start exited {process.ExitCode}: {error}");
        }
    }
}
