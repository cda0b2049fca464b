using System.CommandLine;
using EtcdMaintenance;
using EtcdMaintenance.Hosting;

namespace EtcdDoctor.Commands;

/// <summary>The options that reach members' nodes over SSH (raise-quota, replace-member).</summary>
internal static class SshHostOptions
{
    /// <summary>The environment variable holding the SSH key's passphrase (never a flag: it would show in ps and shell history).</summary>
    public const string PassphraseVariable = "ETCD_DOCTOR_SSH_KEY_PASSPHRASE";

    public static readonly Option<string?> User = new("--ssh-user") { Description = "Reach each member's node over SSH as this user (a kubeadm static pod there). The node is the host of the member's peer URL unless --node names it." };

    public static readonly Option<string?> Key = new("--ssh-key") { Description = $"The SSH private key file (a passphrase, if any, from {PassphraseVariable})." };

    public static readonly Option<int> Port = new("--ssh-port") { Description = "The SSH port.", DefaultValueFactory = _ => 22 };

    public static readonly Option<string?> KnownHosts = new("--known-hosts") { Description = "The known_hosts file host keys are checked against (default ~/.ssh/known_hosts)." };

    public static readonly Option<bool> AcceptNewHostKeys = new("--ssh-accept-new-host-keys") { Description = "Trust a node missing from known_hosts on first use and record its key (a changed key is always refused)." };

    public static readonly Option<bool> Sudo = new("--sudo") { Description = "Run the commands on the node through sudo -n (for a user other than root)." };

    public static readonly Option<string[]> Nodes = new("--node")
    {
        Description = "NAME=HOST: reach member NAME at HOST instead of its peer URL's host (repeat per member).",
        AllowMultipleArgumentsPerToken = false,
    };

    public static IEnumerable<Option> All => [User, Key, Port, KnownHosts, AcceptNewHostKeys, Sudo, Nodes];

    /// <summary>Adds the options and the check that --ssh-user and --ssh-key come together.</summary>
    public static void AddTo(Command command)
    {
        foreach (var option in All)
        {
            command.Options.Add(option);
        }

        command.Validators.Add(result =>
        {
            if ((result.GetValue(User) is null) != (result.GetValue(Key) is null))
            {
                result.AddError("Give --ssh-user and --ssh-key together.");
            }

            foreach (var node in result.GetValue(Nodes) ?? [])
            {
                if (node.Split('=', 2) is not [{ Length: > 0 }, { Length: > 0 }])
                {
                    result.AddError($"--node {node}: expected NAME=HOST.");
                }
            }
        });
    }

    /// <summary>The SSH settings, or <see langword="null"/> when --ssh-user was not given (the member is on this node).</summary>
    public static SshConnectionOptions? Connection(ParseResult parse) => parse.GetValue(User) is { } user
        ? new SshConnectionOptions
        {
            User = user,
            PrivateKeyFile = parse.GetValue(Key)!,
            PrivateKeyPassphrase = Environment.GetEnvironmentVariable(PassphraseVariable) is { Length: > 0 } passphrase ? passphrase : null,
            Port = parse.GetValue(Port),
            KnownHostsFile = parse.GetValue(KnownHosts) ?? SshConnectionOptions.DefaultKnownHostsFile,
            AcceptNewHostKeys = parse.GetValue(AcceptNewHostKeys),
            UseSudo = parse.GetValue(Sudo),
        }
        : null;

    /// <summary>The --node overrides by member name.</summary>
    public static IReadOnlyDictionary<string, string> NodeOverrides(ParseResult parse) =>
        (parse.GetValue(Nodes) ?? []).Select(n => n.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
