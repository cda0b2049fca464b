using EtcdMaintenance.Hosting;

namespace EtcdMaintenance.Testing;

/// <summary>One member of a <see cref="LocalEtcdCluster"/>.</summary>
public sealed class LocalEtcdMember
{
    internal LocalEtcdMember(string name, string scheme, int clientPort, int peerPort, string dataDir)
    {
        Name = name;
        ClientPort = clientPort;
        PeerPort = peerPort;
        DataDir = dataDir;
        ClientUrl = $"{scheme}://127.0.0.1:{clientPort}";
        PeerUrl = $"{scheme}://127.0.0.1:{peerPort}";
    }

    /// <summary>The member's name (etcd <c>--name</c>).</summary>
    public string Name { get; }

    /// <summary>The loopback port clients connect to.</summary>
    public int ClientPort { get; }

    /// <summary>The loopback port peers connect to.</summary>
    public int PeerPort { get; }

    /// <summary>The data directory; set it before a restart to start the member from another one.</summary>
    public string DataDir { get; set; }

    /// <summary>The client URL, for example <c>http://127.0.0.1:40123</c>.</summary>
    public string ClientUrl { get; }

    /// <summary>The peer URL.</summary>
    public string PeerUrl { get; }

    /// <summary>The member's log file (etcd's zap log).</summary>
    public string LogFile => Path.Combine(Path.GetDirectoryName(DataDir)!, "logs", $"{Name}.log");

    /// <summary>The flags the member is (re)started with.</summary>
    public IReadOnlyList<string> Arguments { get; set; } = [];

    /// <summary>The member's host, in a <see cref="LocalEtcdClusterOptions.Hosted"/> cluster.</summary>
    public LocalProcessEtcdHost? Host { get; internal set; }

    /// <summary>The operating-system process ID while the member runs.</summary>
    public int? ProcessId => Process is { HasExited: false } process ? process.ProcessId : null;

    /// <summary>Whether the member's process runs.</summary>
    public bool IsRunning => Process is { HasExited: false };

    /// <summary>The running process, whether started bare or by the member's host.</summary>
    internal LocalEtcdProcess? Process => Host?.Process ?? OwnProcess;

    /// <summary>The process started bare (not by a host).</summary>
    internal LocalEtcdProcess? OwnProcess { get; set; }
}
