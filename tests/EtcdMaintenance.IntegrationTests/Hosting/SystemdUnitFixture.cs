using System.Diagnostics;
using System.Globalization;
using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>
/// Test fixture: a one-member etcd "systemd unit" on this machine. A <c>systemctl</c> stand-in (a shell script put first on
/// the SSH session's PATH) plays systemd's part for that one unit: <c>start</c> runs etcd with the variables of the unit's
/// environment file exported (as <c>EnvironmentFile=</c> does; its <c>#</c> and <c>;</c> comment lines skipped), <c>stop</c> sends SIGTERM and waits for it to exit,
/// <c>restart</c> and <c>is-active --quiet</c> as systemd's. The environment file is shaped like kubespray's
/// <c>/etc/etcd.env</c>: comments, quoting and variables etcd does not read, to prove they stay byte for byte.
/// </summary>
public sealed class SystemdUnitFixture : IAsyncDisposable
{
    public const string Unit = "etcd-test.service";

    private SystemdUnitFixture(string root, int clientPort, int peerPort, string systemctl)
    {
        Root = root;
        ClientUrl = $"http://127.0.0.1:{clientPort}";
        PeerUrl = $"http://127.0.0.1:{peerPort}";
        Systemctl = systemctl;
    }

    public string Root { get; }

    public string ClientUrl { get; }

    public string PeerUrl { get; }

    /// <summary>The systemctl stand-in.</summary>
    public string Systemctl { get; }

    public string EnvFile => Path.Combine(Root, "etc", "etcd.env");

    public string DataDir => Path.Combine(Root, "var", "lib", "etcd");

    public string PidFile => Path.Combine(Root, "run", "etcd.pid");

    public string OriginalEnv { get; private set; } = string.Empty;

    /// <summary>The pid of the running etcd, or <see langword="null"/> when the unit is stopped.</summary>
    public int? Pid => File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), CultureInfo.InvariantCulture, out var pid) && IsAlive(pid) ? pid : null;

    /// <summary>Writes the unit's files and the systemctl stand-in into <paramref name="binDirectory"/>, and starts the unit.</summary>
    public static async Task<SystemdUnitFixture> StartAsync(string root, string binDirectory, long quotaBackendBytes)
    {
        var systemctl = Path.Combine(binDirectory, "systemctl");
        var fixture = new SystemdUnitFixture(Path.Combine(root, "node"), FreePorts.Next(), FreePorts.Next(), systemctl);
        Directory.CreateDirectory(Path.GetDirectoryName(fixture.EnvFile)!);
        Directory.CreateDirectory(Path.GetDirectoryName(fixture.PidFile)!);
        fixture.OriginalEnv = $"""
            # Environment file for etcd v3 (kubespray layout)
            ETCD_DATA_DIR={fixture.DataDir}
            ETCD_ADVERTISE_CLIENT_URLS={fixture.ClientUrl}
            ETCD_INITIAL_ADVERTISE_PEER_URLS={fixture.PeerUrl}
            ETCD_INITIAL_CLUSTER_STATE=new
            ETCD_LISTEN_CLIENT_URLS={fixture.ClientUrl}
            ETCD_LISTEN_PEER_URLS={fixture.PeerUrl}
            ETCD_NAME='sd1'
            ETCD_INITIAL_CLUSTER_TOKEN="k8s_etcd"
            ; the quota, raised by the test
            ETCD_QUOTA_BACKEND_BYTES={quotaBackendBytes.ToString(CultureInfo.InvariantCulture)}
            ETCD_INITIAL_CLUSTER=sd1={fixture.PeerUrl}
            ETCDCTL_API=3

            """.ReplaceLineEndings("\n");
        File.WriteAllText(fixture.EnvFile, fixture.OriginalEnv);
        File.SetUnixFileMode(fixture.EnvFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        File.WriteAllText(systemctl, $$"""
            #!/bin/sh
            # Test fixture standing in for systemctl, for the one unit {{Unit}}.
            verb=$1; shift
            [ "$1" = --quiet ] && shift
            [ "$1" = {{Unit}} ] || { echo "Unit $1 not found." >&2; exit 5; }
            pidfile='{{fixture.PidFile}}'
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
              ( set -a; eval "$(grep -Ev '^[[:space:]]*([#;]|$)' '{{fixture.EnvFile}}')"; set +a; exec setsid '{{EtcdBinaries.Etcd}}' >> '{{Path.Combine(fixture.Root, "etcd.log")}}' 2>&1 < /dev/null ) &
              echo $! > "$pidfile"
            }
            case $verb in
              start) start ;;
              stop) stop ;;
              restart) stop && start ;;
              is-active) alive ;;
              *) echo "unsupported: $verb" >&2; exit 2 ;;
            esac
            """.ReplaceLineEndings("\n"));
        File.SetUnixFileMode(systemctl, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        try
        {
            await fixture.RunSystemctlAsync("start");
            await using var client = fixture.CreateClient();
            await Retry.UntilAsync(async () =>
            {
                try
                {
                    await client.PutAsync("/fixture/ready", "1"u8.ToArray());
                    return true;
                }
                catch (EtcdException)
                {
                    return false;
                }
            }, $"{Unit} to answer at {fixture.ClientUrl}", TimeSpan.FromSeconds(60));
            return fixture;
        }
        catch
        {
            await fixture.DisposeAsync();
            throw;
        }
    }

    public EtcdMaintenanceClient CreateClient() => new(new EtcdClientOptions
    {
        Endpoints = [ClientUrl],
        DialTimeout = TimeSpan.FromSeconds(2),
        CommandTimeout = TimeSpan.FromSeconds(5),
    });

    public async ValueTask DisposeAsync()
    {
        if (Pid is { } pid)
        {
            using var process = Process.GetProcessById(pid);
            process.Kill();
            await process.WaitForExitAsync();
        }
    }

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

    private async Task RunSystemctlAsync(string verb)
    {
        using var process = Process.Start(new ProcessStartInfo("/bin/sh", [Systemctl, verb, Unit]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"systemctl stand-in {verb} exited {process.ExitCode}: {error}");
        }
    }
}
