using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Doctor;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.IntegrationTests.Hosting;

namespace EtcdMaintenance.IntegrationTests.EndToEnd;

/// <summary>
/// Three control-plane "nodes" and a client, each in a network namespace of its own (names unique per run) joined by a
/// bridge in a fifth, on a private range that exists only inside them. Each node has its own sshd (own host key) in a
/// mount namespace where the node's own directory is bind-mounted on one path, so that every node has its manifest,
/// certificates and data dir at the same paths, as kubeadm nodes do; a <see cref="StaticPodSupervisor"/> plays kubelet,
/// starting etcd inside the node's namespaces from its kubeadm-shaped manifest (TLS on client and peer URLs). Disposing
/// stops every process and deletes every namespace. Needs root, iproute2, util-linux and openssh-server: missing, the
/// tests fail (they never skip).
/// </summary>
public sealed class NamespacedNodes : IAsyncDisposable
{
    public const int Count = 3;

    private readonly List<string> _namespaces = [];
    private readonly List<Process> _sshds = [];
    private readonly List<StaticPodSupervisor> _supervisors = [];

    private NamespacedNodes(string root, string id)
    {
        Root = root;
        Id = id;
        Certificates = TestCertificates.Create(Path.Combine(root, "pki"), "etcd-e2e-ca", Enumerable.Range(1, Count).Select(Address));
    }

    public string Root { get; }

    public string Id { get; }

    public TestCertificates Certificates { get; }

    /// <summary>The client's namespace.</summary>
    public string ClientNamespace => $"em{Id}-cl";

    /// <summary>Where each node sees its own files (the same path on every node).</summary>
    public string NodeView => Path.Combine(Root, "node");

    /// <summary>The manifest path on every node.</summary>
    public string ManifestPath => Path.Combine(NodeView, "kubernetes", "manifests", "etcd.yaml");

    public string ClientKey => Path.Combine(Root, "client_key");

    public string KnownHosts => Path.Combine(Root, "known_hosts");

    public IReadOnlyList<StaticPodSupervisor> Supervisors => _supervisors;

    public string Endpoints => string.Join(',', Enumerable.Range(1, Count).Select(ClientUrl));

    public static IPAddress Address(int node) => IPAddress.Parse($"10.213.0.{node}");

    public static string Name(int node) => $"cp-{node}";

    public static string ClientUrl(int node) => $"https://{Address(node)}:2379";

    /// <summary>Node <paramref name="node"/>'s files as this (root) namespace sees them.</summary>
    public string NodeDirectory(int node) => Path.Combine(Root, $"n{node}");

    public string HostManifestPath(int node) => Path.Combine(NodeDirectory(node), "kubernetes", "manifests", "etcd.yaml");

    public string HostDataDirectory(int node) => Path.Combine(NodeDirectory(node), "data");

    public string[] TlsFlags => [$"--cacert={Certificates.CaFile}", $"--cert={Certificates.ClientCertFile}", $"--key={Certificates.ClientKeyFile}"];

    public static async Task<NamespacedNodes> StartAsync(long quotaBackendBytes)
    {
        foreach (var tool in new[] { "/usr/sbin/ip", "/usr/bin/nsenter", "/usr/bin/unshare", "/usr/sbin/sshd", "/usr/bin/ssh-keygen" })
        {
            if (!File.Exists(tool))
            {
                throw new InvalidOperationException($"{tool} is missing: the network-namespace test needs iproute2, util-linux and openssh-server (and root).");
            }
        }

        var id = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(2));
        var root = Directory.CreateTempSubdirectory($"etcd-e2e-{id}-").FullName;
        var nodes = new NamespacedNodes(root, id);
        try
        {
            await nodes.CreateNetworkAsync();
            await SshTestServer.KeygenAsync(nodes.ClientKey);
            Directory.CreateDirectory(nodes.NodeView);
            var initialCluster = string.Join(',', Enumerable.Range(1, Count).Select(i => $"{Name(i)}=https://{Address(i)}:2380"));
            var certs = nodes.Certificates;
            for (var i = 1; i <= Count; i++)
            {
                var sshd = await nodes.StartSshdAsync(i);
                LocalProcessEtcdHost.WriteManifest(nodes.HostManifestPath(i), Name(i),
                [
                    $"--name={Name(i)}", $"--data-dir={Path.Combine(nodes.NodeView, "data")}",
                    $"--listen-client-urls={ClientUrl(i)}", $"--advertise-client-urls={ClientUrl(i)}",
                    $"--listen-peer-urls=https://{Address(i)}:2380", $"--initial-advertise-peer-urls=https://{Address(i)}:2380",
                    $"--initial-cluster={initialCluster}", "--initial-cluster-state=new", $"--initial-cluster-token=e2e-{id}",
                    $"--cert-file={certs.ServerCertFile}", $"--key-file={certs.ServerKeyFile}", $"--trusted-ca-file={certs.CaFile}", "--client-cert-auth",
                    $"--peer-cert-file={certs.ServerCertFile}", $"--peer-key-file={certs.ServerKeyFile}", $"--peer-trusted-ca-file={certs.CaFile}", "--peer-client-cert-auth",
                    $"--quota-backend-bytes={quotaBackendBytes}", "--heartbeat-interval=100", "--election-timeout=1000",
                ], EtcdBinaries.Etcd);
                nodes._supervisors.Add(new StaticPodSupervisor(nodes.HostManifestPath(i), Path.Combine(root, $"etcd-{Name(i)}.log"),
                    ["/usr/bin/nsenter", "-t", sshd.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "-n", "--"]));
            }

            await Retry.UntilAsync(async () => (await nodes.EtcdctlAsync(["endpoint", "health"])).ExitCode == 0, "three healthy members", TimeSpan.FromSeconds(60));
            return nodes;
        }
        catch
        {
            await nodes.DisposeAsync();
            throw;
        }
    }

    /// <summary>Runs etcdctl (TLS, every endpoint unless given) in the client's namespace.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> EtcdctlAsync(IEnumerable<string> arguments, string? endpoints = null) =>
        RunAsync(TimeSpan.FromSeconds(60), "/usr/sbin/ip", ["netns", "exec", ClientNamespace, EtcdBinaries.Etcdctl, $"--endpoints={endpoints ?? Endpoints}", .. TlsFlags, .. arguments]);

    /// <summary>Runs etcd-doctor in the client's namespace with the cluster's endpoints and TLS flags.</summary>
    public Task<(int ExitCode, string Stdout, string Stderr)> EtcdDoctorAsync(TimeSpan timeout, params string[] arguments) =>
        RunAsync(timeout, "/usr/sbin/ip", ["netns", "exec", ClientNamespace, "dotnet", EtcdDoctorProcess.Dll, .. arguments, $"--endpoints={Endpoints}", .. TlsFlags]);

    /// <summary>Starts a shell command in the client's namespace (for a writer that runs throughout).</summary>
    public Process StartInClient(string script)
    {
        var start = new ProcessStartInfo("/usr/sbin/ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "netns", "exec", ClientNamespace, "sh", "-c", script })
        {
            start.ArgumentList.Add(argument);
        }

        return Process.Start(start)!;
    }

    public static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(TimeSpan timeout, string program, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        return await ChildProcess.CompleteAsync(process, $"{program} {string.Join(' ', start.ArgumentList)}", timeout);
    }

    private static async Task RequireAsync(string program, params string[] arguments)
    {
        var (exitCode, _, stderr) = await RunAsync(TimeSpan.FromSeconds(30), program, arguments);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{program} {string.Join(' ', arguments)} exited {exitCode}: {stderr.Trim()}");
        }
    }

    private async Task CreateNetworkAsync()
    {
        const string Ip = "/usr/sbin/ip";
        var bridge = $"em{Id}-br";
        await AddNamespaceAsync(bridge);
        await RequireAsync(Ip, "-n", bridge, "link", "add", "br0", "type", "bridge");
        await RequireAsync(Ip, "-n", bridge, "link", "set", "br0", "up");
        for (var i = 1; i <= Count + 1; i++)
        {
            var ns = i <= Count ? $"em{Id}-n{i}" : ClientNamespace;
            await AddNamespaceAsync(ns);
            var (inside, outside) = ($"v{Id}x{i}a", $"v{Id}x{i}b");
            await RequireAsync(Ip, "link", "add", inside, "type", "veth", "peer", "name", outside);
            await RequireAsync(Ip, "link", "set", inside, "netns", ns);
            await RequireAsync(Ip, "link", "set", outside, "netns", bridge);
            await RequireAsync(Ip, "-n", ns, "link", "set", inside, "name", "eth0");
            await RequireAsync(Ip, "-n", ns, "addr", "add", $"10.213.0.{(i <= Count ? i : 100)}/24", "dev", "eth0");
            await RequireAsync(Ip, "-n", ns, "link", "set", "eth0", "up");
            await RequireAsync(Ip, "-n", ns, "link", "set", "lo", "up");
            await RequireAsync(Ip, "-n", bridge, "link", "set", outside, "master", "br0");
            await RequireAsync(Ip, "-n", bridge, "link", "set", outside, "up");
        }
    }

    private async Task AddNamespaceAsync(string name)
    {
        await RequireAsync("/usr/sbin/ip", "netns", "add", name);
        _namespaces.Add(name);
    }

    /// <summary>Starts node <paramref name="node"/>'s sshd in its network namespace and a mount namespace of its own where its directory is the node view.</summary>
    private async Task<Process> StartSshdAsync(int node)
    {
        var dir = Path.Combine(Root, $"ssh-n{node}");
        Directory.CreateDirectory(dir);
        Directory.CreateDirectory(Path.Combine(NodeDirectory(node), "kubernetes", "manifests"));
        await SshTestServer.KeygenAsync(Path.Combine(dir, "host_key"));
        File.Copy(ClientKey + ".pub", Path.Combine(dir, "authorized_keys"));
        var hostKey = File.ReadAllText(Path.Combine(dir, "host_key.pub")).Split(' ');
        File.AppendAllText(KnownHosts, $"{Address(node)} {hostKey[0]} {hostKey[1]}\n");
        var config = Path.Combine(dir, "sshd_config");
        File.WriteAllText(config, $"""
            Port 22
            ListenAddress {Address(node)}
            HostKey {dir}/host_key
            AuthorizedKeysFile {dir}/authorized_keys
            PidFile {dir}/sshd.pid
            UsePAM no
            StrictModes no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PermitRootLogin prohibit-password
            Subsystem sftp internal-sftp
            """);
        Directory.CreateDirectory("/run/sshd");
        var start = new ProcessStartInfo("/usr/sbin/ip") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[]
        {
            "netns", "exec", $"em{Id}-n{node}", "/usr/bin/unshare", "--mount", "--propagation", "private", "/bin/sh", "-c",
            $"mount --bind {ShellWord(NodeDirectory(node))} {ShellWord(NodeView)} && exec /usr/sbin/sshd -D -e -f {ShellWord(config)}",
        })
        {
            start.ArgumentList.Add(argument);
        }

        var sshd = Process.Start(start)!;
        _sshds.Add(sshd);
        sshd.BeginOutputReadLine();
        sshd.BeginErrorReadLine();
        await Retry.UntilAsync(async () =>
        {
            if (sshd.HasExited)
            {
                throw new InvalidOperationException($"sshd on node {node} exited {sshd.ExitCode}.");
            }

            return await ListensAsync(node);
        }, $"sshd on node {node}");
        return sshd;
    }

    private async Task<bool> ListensAsync(int node)
    {
        var (_, stdout, _) = await RunAsync(TimeSpan.FromSeconds(10), "/usr/sbin/ip", ["netns", "exec", $"em{Id}-n{node}", "ss", "-ltn"]);
        return stdout.Contains($"{Address(node)}:22", StringComparison.Ordinal);
    }

    private static string ShellWord(string value) => "'" + value.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    public async ValueTask DisposeAsync()
    {
        foreach (var supervisor in _supervisors)
        {
            await supervisor.DisposeAsync();
        }

        foreach (var sshd in _sshds)
        {
            if (!sshd.HasExited)
            {
                sshd.Kill(entireProcessTree: true);
                await sshd.WaitForExitAsync();
            }

            sshd.Dispose();
        }

        foreach (var ns in _namespaces)
        {
            await RunAsync(TimeSpan.FromSeconds(30), "/usr/sbin/ip", ["netns", "delete", ns]);
        }

        Directory.Delete(Root, recursive: true);
    }
}
