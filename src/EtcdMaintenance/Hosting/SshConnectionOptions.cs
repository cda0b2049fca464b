namespace EtcdMaintenance.Hosting;

/// <summary>How to reach members' nodes over SSH: user, key, host-key checking, sudo, timeouts.</summary>
public sealed class SshConnectionOptions
{
    /// <summary>The user to log in as.</summary>
    public required string User { get; init; }

    /// <summary>The private key file (OpenSSH or PEM format) used to log in.</summary>
    public required string PrivateKeyFile { get; init; }

    /// <summary>The private key's passphrase, when it has one (never logged).</summary>
    /// <value><see langword="null"/> by default.</value>
    public string? PrivateKeyPassphrase { get; init; }

    /// <summary>The SSH port.</summary>
    /// <value>22 by default.</value>
    public int Port { get; init; } = 22;

    /// <summary>The user's known_hosts file, <c>~/.ssh/known_hosts</c>.</summary>
    public static string DefaultKnownHostsFile => Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".ssh", "known_hosts");

    /// <summary>The known_hosts file nodes' host keys are checked against.</summary>
    /// <value><see cref="DefaultKnownHostsFile"/> by default.</value>
    public string KnownHostsFile { get; init; } = DefaultKnownHostsFile;

    /// <summary>
    /// Whether a node whose host is not in <see cref="KnownHostsFile"/> at all is trusted on first use, its key appended to
    /// the file (OpenSSH's <c>StrictHostKeyChecking=accept-new</c>). A key other than the one the file holds for the node is
    /// refused whatever this says.
    /// </summary>
    /// <value><see langword="false"/> by default: an unknown host is refused.</value>
    public bool AcceptNewHostKeys { get; init; }

    /// <summary>Whether commands on the node run through <c>sudo -n</c> (for a user other than root; no password prompt).</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool UseSudo { get; init; }

    /// <summary>How long connecting and logging in may take.</summary>
    /// <value>15 seconds by default.</value>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>How long one step's command on the node may take.</summary>
    /// <value>60 seconds by default.</value>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(60);
}
