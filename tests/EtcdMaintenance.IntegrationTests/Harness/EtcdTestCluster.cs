using System.Diagnostics;
using System.Text;
using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.IntegrationTests.Harness;

/// <summary>How to start a throwaway cluster.</summary>
public sealed record EtcdClusterOptions
{
    public int Members { get; init; } = 1;

    /// <summary>Serve clients over TLS (and peers too).</summary>
    public bool Tls { get; init; }

    /// <summary>With <see cref="Tls"/>: require client certificates (etcd --client-cert-auth).</summary>
    public bool ClientCertAuth { get; init; } = true;

    public long? QuotaBackendBytes { get; init; }

    /// <summary>A <c>--quota-backend-bytes</c> per member (n1, n2, ...), instead of <see cref="QuotaBackendBytes"/>.</summary>
    public IReadOnlyList<long>? MemberQuotas { get; init; }

    /// <summary>etcd --auto-compaction-mode (periodic|revision) with <see cref="AutoCompactionRetention"/>.</summary>
    public string? AutoCompactionMode { get; init; }

    public string? AutoCompactionRetention { get; init; }

    /// <summary>When set, auth is enabled with user root and this password (and a user "reader" with no roles, password "reader").</summary>
    public string? RootPassword { get; init; }

    /// <summary>Run each member through a <see cref="LocalProcessEtcdHost"/> from a manifest file (as operations expect), not as a bare process.</summary>
    public bool Hosted { get; init; }
}

/// <summary>
/// Real etcd members on free loopback ports in a temp dir. Every process it starts is tracked and killed on dispose,
/// and on test-host exit as a last resort.
/// </summary>
public sealed class EtcdTestCluster : IAsyncDisposable
{
    private static int s_clusterCounter;

    private EtcdTestCluster(EtcdClusterOptions options, string root, IReadOnlyList<EtcdTestMember> members, TestCertificates? certificates)
    {
        Options = options;
        Root = root;
        Members = members;
        Certificates = certificates;
    }

    public EtcdClusterOptions Options { get; }

    /// <summary>The temp directory holding data dirs, logs and certificates.</summary>
    public string Root { get; }

    public IReadOnlyList<EtcdTestMember> Members { get; }

    public TestCertificates? Certificates { get; }

    /// <summary>The client URLs, comma-separated as etcdctl takes them.</summary>
    public string Endpoints => string.Join(',', Members.Select(m => m.ClientUrl));

    public static async Task<EtcdTestCluster> StartAsync(EtcdClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new EtcdClusterOptions();
        var id = Interlocked.Increment(ref s_clusterCounter);
        var root = Directory.CreateTempSubdirectory($"etcd-test-{Environment.ProcessId}-{id}-").FullName;
        var certificates = options.Tls ? TestCertificates.Create(Path.Combine(root, "pki")) : null;
        var scheme = options.Tls ? "https" : "http";
        var members = Enumerable.Range(1, options.Members)
            .Select(i => new EtcdTestMember($"n{i}", scheme, FreePorts.Next(), FreePorts.Next(), Path.Combine(root, $"n{i}")))
            .ToList();
        var cluster = new EtcdTestCluster(options, root, members, certificates);
        try
        {
            var initialCluster = string.Join(',', members.Select(m => $"{m.Name}={m.PeerUrl}"));
            foreach (var member in members)
            {
                member.Arguments = cluster.BaseArguments(member)
                    .Concat([$"--initial-cluster={initialCluster}", "--initial-cluster-state=new", $"--initial-cluster-token=etcd-test-{id}"])
                    .ToList();
                cluster.Launch(member);
            }

            await cluster.WaitUntilReadyAsync(members, cancellationToken);
            if (options.RootPassword is not null)
            {
                await cluster.EnableAuthAsync(options.RootPassword, cancellationToken);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Client options for this cluster (TLS files and root credentials included).</summary>
    public EtcdClientOptions ClientOptions(bool withClientCertificate = true) => new()
    {
        Endpoints = [Endpoints],
        Tls = Certificates is null ? new EtcdTlsOptions() : new EtcdTlsOptions
        {
            CaFile = Certificates.CaFile,
            CertFile = withClientCertificate ? Certificates.ClientCertFile : null,
            KeyFile = withClientCertificate ? Certificates.ClientKeyFile : null,
        },
        Username = Options.RootPassword is null ? null : "root",
        Password = Options.RootPassword,
        DialTimeout = TimeSpan.FromSeconds(2),
        CommandTimeout = TimeSpan.FromSeconds(5),
    };

    public EtcdMaintenanceClient CreateClient(Action<EtcdClientOptions>? configure = null)
    {
        var options = ClientOptions();
        configure?.Invoke(options);
        return new EtcdMaintenanceClient(options);
    }

    public EtcdEndpoint Endpoint(int index) => EtcdEndpoint.Parse(Members[index].ClientUrl);

    /// <summary>The flags every member gets: name, data dir, URLs, TLS, quota, compaction, logs.</summary>
    public IReadOnlyList<string> BaseArguments(EtcdTestMember member)
    {
        var args = new List<string>
        {
            $"--name={member.Name}",
            $"--data-dir={member.DataDir}",
            $"--listen-client-urls={member.ClientUrl}",
            $"--advertise-client-urls={member.ClientUrl}",
            $"--listen-peer-urls={member.PeerUrl}",
            $"--initial-advertise-peer-urls={member.PeerUrl}",
            "--logger=zap",
            $"--log-outputs={member.LogFile}",
            "--heartbeat-interval=100",
            "--election-timeout=1000",
        };
        if (Certificates is { } certs)
        {
            args.AddRange([
                $"--cert-file={certs.ServerCertFile}", $"--key-file={certs.ServerKeyFile}", $"--trusted-ca-file={certs.CaFile}",
                $"--peer-cert-file={certs.ServerCertFile}", $"--peer-key-file={certs.ServerKeyFile}", $"--peer-trusted-ca-file={certs.CaFile}",
                "--peer-client-cert-auth",
            ]);
            if (Options.ClientCertAuth)
            {
                args.Add("--client-cert-auth");
            }
        }

        var index = Members.ToList().IndexOf(member);
        if ((Options.MemberQuotas is { } quotas && index >= 0 && index < quotas.Count ? quotas[index] : Options.QuotaBackendBytes) is { } quota)
        {
            args.Add($"--quota-backend-bytes={quota}");
        }

        if (Options.AutoCompactionMode is { } mode)
        {
            args.Add($"--auto-compaction-mode={mode}");
            args.Add($"--auto-compaction-retention={Options.AutoCompactionRetention}");
        }

        return args;
    }

    /// <summary>
    /// Starts a member with its current <see cref="EtcdTestMember.Arguments"/>; a hosted member is started by its host
    /// from its manifest (written from the arguments the first time).
    /// </summary>
    public void Launch(EtcdTestMember member)
    {
        if (member.Process is { HasExited: false })
        {
            throw new InvalidOperationException($"{member.Name} is already running.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(member.LogFile)!);
        if (Options.Hosted)
        {
            var manifest = Path.Combine(Root, "manifests", $"{member.Name}.yaml");
            if (!File.Exists(manifest))
            {
                LocalProcessEtcdHost.WriteManifest(manifest, member.Name, member.Arguments);
            }

            member.Host ??= new LocalProcessEtcdHost(manifest, EtcdBinaries.Etcd);
            member.Host.StartAsync().GetAwaiter().GetResult();
            return;
        }

        member.OwnProcess = LocalEtcdProcess.Start(EtcdBinaries.Etcd, member.Arguments);
    }

    /// <summary>Restarts a stopped member from its data dir and waits until it has rejoined.</summary>
    public async Task StartMemberAsync(int index, CancellationToken cancellationToken = default)
    {
        Launch(Members[index]);
        await WaitUntilReadyAsync([Members[index]], cancellationToken);
    }

    /// <summary>Stops a member gracefully (SIGTERM) and waits for it to exit.</summary>
    public async Task StopMemberAsync(int index)
    {
        var member = Members[index];
        if (member.Host is { } host)
        {
            await host.StopAsync();
        }
        else if (member.OwnProcess is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(20));
            await Forget(member);
        }
    }

    /// <summary>Kills a member (SIGKILL).</summary>
    public async Task KillMemberAsync(int index)
    {
        var member = Members[index];
        if (member.Process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync();
        }

        if (member.Host is { } host)
        {
            await host.StopAsync();
        }

        await Forget(member);
    }

    /// <summary>Freezes a member (SIGSTOP): its sockets stay open and it answers nothing; returns once it has stopped.</summary>
    public void PauseMember(int index) => (Members[index].Process ?? throw new InvalidOperationException("not running")).Pause();

    /// <summary>Thaws a member frozen by <see cref="PauseMember"/> (SIGCONT).</summary>
    public void ResumeMember(int index) => (Members[index].Process ?? throw new InvalidOperationException("not running")).Resume();

    /// <summary>Runs etcdctl against this cluster (or the given endpoints) and returns its standard output.</summary>
    public async Task<string> EtcdctlAsync(IEnumerable<string> arguments, string? endpoints = null, byte[]? stdin = null, bool asRoot = true, CancellationToken cancellationToken = default)
    {
        var result = await RunEtcdctlAsync(arguments, endpoints, stdin, asRoot, cancellationToken);
        return result.ExitCode == 0
            ? result.Stdout
            : throw new InvalidOperationException($"etcdctl {string.Join(' ', arguments)} exited {result.ExitCode}: {result.Stderr.Trim()}");
    }

    /// <summary>Runs etcdctl and returns exit code, stdout and stderr, whatever they are.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> RunEtcdctlAsync(IEnumerable<string> arguments, string? endpoints = null, byte[]? stdin = null, bool asRoot = true, CancellationToken cancellationToken = default)
    {
        var start = new ProcessStartInfo(EtcdBinaries.Etcdctl)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = stdin is not null,
            UseShellExecute = false,
        };
        start.Environment["ETCDCTL_API"] = "3";
        start.Environment.Remove("ETCDCTL_BIN");   // etcdctl 3.4 warns on stderr about ETCDCTL_* variables it does not know
        start.ArgumentList.Add($"--endpoints={endpoints ?? Endpoints}");
        if (Certificates is { } certs)
        {
            start.ArgumentList.Add($"--cacert={certs.CaFile}");
            start.ArgumentList.Add($"--cert={certs.ClientCertFile}");
            start.ArgumentList.Add($"--key={certs.ClientKeyFile}");
        }

        if (asRoot && Options.RootPassword is { } password && AuthEnabled)
        {
            start.ArgumentList.Add($"--user=root:{password}");
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("etcdctl did not start.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken);
            process.StandardInput.Close();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout, await stderr);
    }

    public bool AuthEnabled { get; private set; }

    /// <summary>
    /// Writes ~900 KB values until etcd raises NOSPACE; returns the keys written and the error of the write that failed.
    /// With <paramref name="distinctKeys"/> the same keys are overwritten, so that most of the database is history a
    /// compaction can free.
    /// </summary>
    public async Task<(IReadOnlyList<string> Keys, EtcdException Error)> FillToNoSpaceAsync(EtcdMaintenanceClient client, string prefix = "/fill/", int? distinctKeys = null, CancellationToken cancellationToken = default)
    {
        var value = new byte[900 * 1024];
        var keys = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            Random.Shared.NextBytes(value);
            var key = $"{prefix}{(distinctKeys is { } n ? i % n : i):D4}";
            try
            {
                await client.PutAsync(key, value, cancellationToken: cancellationToken);
                if (!keys.Contains(key))
                {
                    keys.Add(key);
                }
            }
            catch (EtcdException ex) when (ex.ErrorCode == EtcdErrorCode.NoSpace)
            {
                return (keys, ex);
            }
        }

        throw new InvalidOperationException("The cluster never ran out of space: was it started with a small QuotaBackendBytes?");
    }

    /// <summary>
    /// Churns and deletes ~6 MB of values and compacts, then writes small keys until every member reports at least
    /// <paramref name="ratio"/> fragmentation (bbolt counts freed pages as free only after later commits).
    /// </summary>
    public static async Task FragmentAsync(EtcdMaintenanceClient client, double ratio = 0.45)
    {
        for (var i = 0; i < 30; i++)
        {
            await client.PutAsync($"/churn/{i % 10}", new byte[200 * 1024]);
        }

        await client.DeletePrefixAsync("/churn/");
        await client.CompactAsync((await client.PutAsync("/tick", "0"u8.ToArray())).Revision);
        await Retry.UntilAsync(async () =>
        {
            await client.PutAsync("/tick", "1"u8.ToArray());
            return (await client.GetClusterStatusAsync()).Reachable.All(s => s.FragmentationRatio >= ratio);
        }, "every member to report the fragmentation");
    }

    /// <summary>Waits until every given member answers status and knows a leader.</summary>
    public async Task WaitUntilReadyAsync(IEnumerable<EtcdTestMember> members, CancellationToken cancellationToken = default, TimeSpan? timeout = null)
    {
        var options = ClientOptions();
        options.Endpoints = [Endpoints];
        // etcd 3.4 answers Status without auth, 3.5 only with a token once auth is on.
        if (!AuthEnabled)
        {
            options.Username = null;
            options.Password = null;
        }

        options.CommandTimeout = TimeSpan.FromSeconds(2);
        await using var client = new EtcdMaintenanceClient(options);
        var deadline = Stopwatch.StartNew();
        var limit = timeout ?? TimeSpan.FromSeconds(30);
        foreach (var member in members)
        {
            var endpoint = EtcdEndpoint.Parse(member.ClientUrl);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (member.Process is { HasExited: true } exited)
                {
                    throw new InvalidOperationException($"{member.Name} exited with code {exited.ExitCode} while starting. Its log:\n{ReadLogTail(member)}");
                }

                try
                {
                    var status = await client.GetStatusAsync(endpoint, cancellationToken);
                    if (!status.Leader.IsNone)
                    {
                        break;
                    }
                }
                catch (EtcdException) when (deadline.Elapsed < limit)
                {
                }

                if (deadline.Elapsed >= limit)
                {
                    throw new TimeoutException($"{member.Name} ({member.ClientUrl}) did not become ready within {limit}. Its log:\n{ReadLogTail(member)}");
                }

                await Task.Delay(50, cancellationToken);
            }
        }
    }

    public static string ReadLogTail(EtcdTestMember member, int lines = 30)
    {
        try
        {
            using var stream = new FileStream(member.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines));
        }
        catch (IOException)
        {
            return "(no log)";
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await Forget(member);
        }

        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task EnableAuthAsync(string rootPassword, CancellationToken cancellationToken)
    {
        await EtcdctlAsync(["user", "add", "root", $"--new-user-password={rootPassword}"], cancellationToken: cancellationToken);
        await EtcdctlAsync(["user", "grant-role", "root", "root"], cancellationToken: cancellationToken);
        await EtcdctlAsync(["user", "add", "reader", "--new-user-password=reader"], cancellationToken: cancellationToken);
        await EtcdctlAsync(["auth", "enable"], cancellationToken: cancellationToken);
        AuthEnabled = true;
    }

    private static async Task Forget(EtcdTestMember member)
    {
        if (member.Process is { } process)
        {
            process.Kill();
            await process.DisposeAsync();
        }

        if (member.Host is { } host)
        {
            await host.StopAsync();
        }

        member.OwnProcess = null;
    }
}

/// <summary>One member of a test cluster.</summary>
public sealed class EtcdTestMember(string name, string scheme, int clientPort, int peerPort, string dataDir)
{
    public string Name { get; } = name;

    public int ClientPort { get; } = clientPort;

    public int PeerPort { get; } = peerPort;

    public string DataDir { get; set; } = dataDir;

    public string ClientUrl { get; } = $"{scheme}://127.0.0.1:{clientPort}";

    public string PeerUrl { get; } = $"{scheme}://127.0.0.1:{peerPort}";

    public string LogFile => Path.Combine(Path.GetDirectoryName(DataDir)!, "logs", $"{Name}.log");

    /// <summary>The flags the member is (re)started with.</summary>
    public IReadOnlyList<string> Arguments { get; set; } = [];

    /// <summary>The running process, whether started bare or by the member's host.</summary>
    public LocalEtcdProcess? Process => Host?.Process ?? OwnProcess;

    internal LocalEtcdProcess? OwnProcess { get; set; }

    /// <summary>The member's host, in a <see cref="EtcdClusterOptions.Hosted"/> cluster.</summary>
    public LocalProcessEtcdHost? Host { get; internal set; }

    public bool IsRunning => Process is { HasExited: false };
}
