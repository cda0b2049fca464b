using System.Diagnostics;
using System.Text;
using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.Testing;

/// <summary>
/// A throwaway etcd cluster for tests, benchmarks and demos: real etcd members (<see cref="EtcdBinaries.Etcd"/>) on free
/// loopback ports in a temp directory. Every process it starts is killed on dispose (bare members also when this process
/// exits), and the directory is deleted.
/// </summary>
public sealed class LocalEtcdCluster : IAsyncDisposable
{
    private static int s_clusterCounter;

    private LocalEtcdCluster(LocalEtcdClusterOptions options, string etcdBinary, string root, IReadOnlyList<LocalEtcdMember> members, LocalEtcdCertificates? certificates)
    {
        Options = options;
        Root = root;
        Members = members;
        Certificates = certificates;
        EtcdBinary = etcdBinary;
    }

    /// <summary>The options the cluster was started with.</summary>
    public LocalEtcdClusterOptions Options { get; }

    /// <summary>The temp directory holding data dirs, logs, manifests and certificates.</summary>
    public string Root { get; }

    /// <summary>The members, n1 first.</summary>
    public IReadOnlyList<LocalEtcdMember> Members { get; }

    /// <summary>The certificates of a <see cref="LocalEtcdClusterOptions.Tls"/> cluster.</summary>
    public LocalEtcdCertificates? Certificates { get; }

    /// <summary>The etcd binary the members run.</summary>
    public string EtcdBinary { get; }

    /// <summary>Whether auth is on (<see cref="LocalEtcdClusterOptions.RootPassword"/>).</summary>
    public bool AuthEnabled { get; private set; }

    /// <summary>The process IDs of the members that run.</summary>
    public IReadOnlyList<int> ProcessIds => [.. Members.Select(m => m.ProcessId).OfType<int>()];

    /// <summary>The client URLs, comma-separated as etcdctl takes them.</summary>
    public string Endpoints => string.Join(',', Members.Select(m => m.ClientUrl));

    /// <summary>Starts the members and waits until each answers and knows a leader (then enables auth if asked).</summary>
    /// <exception cref="InvalidOperationException">etcd is missing, or a member exited while starting (its log tail in the message).</exception>
    /// <exception cref="TimeoutException">A member did not become ready within 30 seconds.</exception>
    public static async Task<LocalEtcdCluster> StartAsync(LocalEtcdClusterOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new LocalEtcdClusterOptions();
        var etcdBinary = options.EtcdBinary ?? EtcdBinaries.Etcd;
        var id = Interlocked.Increment(ref s_clusterCounter);
        var root = Directory.CreateTempSubdirectory($"etcd-test-{Environment.ProcessId}-{id}-").FullName;
        var certificates = options.Tls ? LocalEtcdCertificates.Create(Path.Combine(root, "pki")) : null;
        var scheme = options.Tls ? "https" : "http";
        var members = Enumerable.Range(1, options.Members)
            .Select(i => $"{options.MemberNamePrefix}{i}")
            .Select(name => new LocalEtcdMember(name, scheme, FreePorts.Next(), FreePorts.Next(), Path.Combine(root, name)))
            .ToList();
        var cluster = new LocalEtcdCluster(options, etcdBinary, root, members, certificates);
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

            await cluster.WaitUntilReadyAsync(members, cancellationToken: cancellationToken).ConfigureAwait(false);
            if (options.RootPassword is not null)
            {
                await cluster.EnableAuthAsync(options.RootPassword, cancellationToken).ConfigureAwait(false);
            }

            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync().ConfigureAwait(false);
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

    /// <summary>A client for this cluster, from <see cref="ClientOptions"/> changed by <paramref name="configure"/>.</summary>
    public EtcdMaintenanceClient CreateClient(Action<EtcdClientOptions>? configure = null)
    {
        var options = ClientOptions();
        configure?.Invoke(options);
        return new EtcdMaintenanceClient(options);
    }

    /// <summary>The client endpoint of member <paramref name="index"/> (0-based).</summary>
    public EtcdEndpoint Endpoint(int index) => EtcdEndpoint.Parse(Members[index].ClientUrl);

    /// <summary>The flags every member gets: name, data dir, URLs, TLS, quota, compaction, logs.</summary>
    public IReadOnlyList<string> BaseArguments(LocalEtcdMember member)
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
    /// Starts a member with its current <see cref="LocalEtcdMember.Arguments"/>; a hosted member is started by its host
    /// from its manifest (written from the arguments the first time). Does not wait for it to be ready.
    /// </summary>
    /// <exception cref="InvalidOperationException">The member runs already.</exception>
    public void Launch(LocalEtcdMember member)
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

            member.Host ??= new LocalProcessEtcdHost(manifest, EtcdBinary);
            member.Host.StartAsync().GetAwaiter().GetResult();
            return;
        }

        member.OwnProcess = LocalEtcdProcess.Start(EtcdBinary, member.Arguments);
    }

    /// <summary>Restarts a stopped member from its data dir and waits until it has rejoined.</summary>
    public async Task StartMemberAsync(int index, CancellationToken cancellationToken = default)
    {
        Launch(Members[index]);
        await WaitUntilReadyAsync([Members[index]], cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops a member gracefully (SIGTERM) and waits for it to exit.</summary>
    public async Task StopMemberAsync(int index, CancellationToken cancellationToken = default)
    {
        var member = Members[index];
        if (member.Host is { } host)
        {
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (member.OwnProcess is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(20), cancellationToken).ConfigureAwait(false);
            await Forget(member).ConfigureAwait(false);
        }
    }

    /// <summary>Kills a member (SIGKILL).</summary>
    public async Task KillMemberAsync(int index, CancellationToken cancellationToken = default)
    {
        var member = Members[index];
        if (member.Process is { } process)
        {
            process.Kill();
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (member.Host is { } host)
        {
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        await Forget(member).ConfigureAwait(false);
    }

    /// <summary>Freezes a member (SIGSTOP): its sockets stay open and it answers nothing; returns once it has stopped.</summary>
    /// <exception cref="InvalidOperationException">The member does not run.</exception>
    public void PauseMember(int index) => (Members[index].Process ?? throw NotRunning(index, "pause")).Pause();

    /// <summary>Thaws a member frozen by <see cref="PauseMember"/> (SIGCONT).</summary>
    public void ResumeMember(int index) => (Members[index].Process ?? throw NotRunning(index, "resume")).Resume();

    /// <summary>Runs etcdctl against this cluster (or the given endpoints) and returns its standard output.</summary>
    public async Task<string> EtcdctlAsync(IEnumerable<string> arguments, string? endpoints = null, byte[]? stdin = null, bool asRoot = true, CancellationToken cancellationToken = default)
    {
        var result = await RunEtcdctlAsync(arguments, endpoints, stdin, asRoot, cancellationToken).ConfigureAwait(false);
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
            await process.StandardInput.BaseStream.WriteAsync(stdin, cancellationToken).ConfigureAwait(false);
            process.StandardInput.Close();
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await stdout.ConfigureAwait(false), await stderr.ConfigureAwait(false));
    }

    /// <summary>Waits until every given member answers status and knows a leader.</summary>
    public async Task WaitUntilReadyAsync(IEnumerable<LocalEtcdMember> members, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
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
        var client = new EtcdMaintenanceClient(options);
        await using var disposeClient = client.ConfigureAwait(false);
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
                    var status = await client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
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

                await Task.Delay(50, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>The last <paramref name="lines"/> lines of a member's log, for error messages.</summary>
    public static string ReadLogTail(LocalEtcdMember member, int lines = 30)
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

    /// <summary>
    /// The IDs among <paramref name="processIds"/> of processes that still run (for example members restarted by a host
    /// that should have been stopped).
    /// </summary>
    public static IReadOnlyList<int> StillRunning(IEnumerable<int> processIds) =>
        [.. processIds.Where(pid => LocalEtcdProcess.TryAttach(pid) is not null)];

    /// <summary>Kills every member (bare or hosted) and deletes <see cref="Root"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        foreach (var member in Members)
        {
            await Forget(member).ConfigureAwait(false);
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
        await EtcdctlAsync(["user", "add", "root", $"--new-user-password={rootPassword}"], cancellationToken: cancellationToken).ConfigureAwait(false);
        await EtcdctlAsync(["user", "grant-role", "root", "root"], cancellationToken: cancellationToken).ConfigureAwait(false);
        await EtcdctlAsync(["user", "add", "reader", "--new-user-password=reader"], cancellationToken: cancellationToken).ConfigureAwait(false);
        await EtcdctlAsync(["auth", "enable"], cancellationToken: cancellationToken).ConfigureAwait(false);
        AuthEnabled = true;
    }

    private InvalidOperationException NotRunning(int index, string operation) =>
        new($"Cannot {operation} etcd member {Members[index].Name} ({Members[index].ClientUrl}): it does not run.");

    private static async Task Forget(LocalEtcdMember member)
    {
        if (member.Process is { } process)
        {
            process.Kill();
            await process.DisposeAsync().ConfigureAwait(false);
        }

        if (member.Host is { } host)
        {
            await host.StopAsync().ConfigureAwait(false);
        }

        member.OwnProcess = null;
    }
}
