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

    public static readonly Option<string?> SystemdUnit = new("--systemd-unit") { Description = "The member runs as this systemd unit (e.g. etcd.service, as kubespray runs it) instead of a static pod: systemctl stop|start|restart UNIT, its flags in --env-file or --config-file. On this node, or on each member's node with --ssh-user." };

    public static readonly Option<string?> EnvFile = new("--env-file") { Description = $"With --systemd-unit: the unit's environment file of ETCD_* variables (default {SystemdUnitOptions.DefaultFlagFilePath})." };

    public static readonly Option<string?> ConfigFile = new("--config-file") { Description = "With --systemd-unit: the etcd configuration file its --config-file names, instead of an environment file." };

    public static IEnumerable<Option> All => [User, Key, Port, KnownHosts, AcceptNewHostKeys, Sudo, Nodes, SystemdUnit, EnvFile, ConfigFile];

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

            if ((result.GetValue(EnvFile) is not null || result.GetValue(ConfigFile) is not null) && result.GetValue(SystemdUnit) is null)
            {
                result.AddError("--env-file and --config-file go with --systemd-unit.");
            }

            if (result.GetValue(EnvFile) is not null && result.GetValue(ConfigFile) is not null)
            {
                result.AddError("Give --env-file or --config-file, not both.");
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

    /// <summary>
    /// The host for a member's node over SSH: its systemd unit when --systemd-unit is given,
    /// else its static pod at <paramref name="paths"/>. Both are <see cref="IAsyncDisposable"/> (the SSH connection).
    /// </summary>
    public static IEtcdMemberHost CreateHost(ParseResult parse, string node, SshConnectionOptions ssh, StaticPodPaths paths) =>
        Unit(parse) is { } unit ? new SshSystemdMemberHost(node, ssh, unit) : new SshEtcdMemberHost(node, ssh, paths);

    /// <summary>This node's systemd-unit member when --systemd-unit is given without --ssh-user, else <see langword="null"/>.</summary>
    public static LocalSystemdMemberHost? CreateLocalSystemdHost(ParseResult parse) =>
        parse.GetValue(User) is null && Unit(parse) is { } unit ? new LocalSystemdMemberHost(unit) : null;

    private static SystemdUnitOptions? Unit(ParseResult parse) => parse.GetValue(SystemdUnit) is { } unit
        ? new SystemdUnitOptions { Unit = unit, FlagFilePath = parse.GetValue(ConfigFile) ?? parse.GetValue(EnvFile) ?? SystemdUnitOptions.DefaultFlagFilePath }
        : null;

    /// <summary>The --node overrides by member name.</summary>
    public static IReadOnlyDictionary<string, string> NodeOverrides(ParseResult parse) =>
        (parse.GetValue(Nodes) ?? []).Select(n => n.Split('=', 2)).ToDictionary(p => p[0], p => p[1], StringComparer.Ordinal);
}
