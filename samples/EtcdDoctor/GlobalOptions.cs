using System.CommandLine;
using EtcdMaintenance;
using Microsoft.Extensions.Options;

namespace EtcdDoctor;

/// <summary>etcdctl-style flags shared by every command.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string> Endpoints = new("--endpoints")
    {
        Description = "Comma-separated client URLs, as etcdctl takes them (ETCDCTL_ENDPOINTS).",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("ETCDCTL_ENDPOINTS") ?? "127.0.0.1:2379",
        Recursive = true,
    };

    public static readonly Option<string?> CaCert = new("--cacert") { Description = "CA certificate file (PEM), e.g. /etc/kubernetes/pki/etcd/ca.crt.", Recursive = true };

    public static readonly Option<string?> Cert = new("--cert") { Description = "Client certificate file (PEM).", Recursive = true };

    public static readonly Option<string?> Key = new("--key") { Description = "Client private key file (PEM).", Recursive = true };

    public static readonly Option<string?> User = new("--user") { Description = "etcd user, as NAME or NAME:PASSWORD.", Recursive = true };

    public static readonly Option<string?> Password = new("--password") { Description = "etcd password (prefer ETCDCTL_PASSWORD; never logged).", Recursive = true };

    public static readonly Option<TimeSpan> CommandTimeout = new("--command-timeout")
    {
        Description = "Timeout of ordinary calls (etcdctl's default is 5s).",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(5),
        Recursive = true,
        CustomParser = r => Durations.Parse(r.Tokens.Single().Value),
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o", "-w", "--write-out")
    {
        Description = "Output format: table or json.",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Endpoints, CaCert, Cert, Key, User, Password, CommandTimeout, Output })
        {
            root.Options.Add(option);
        }
    }

    public static EtcdClientOptions ClientOptions(ParseResult parse)
    {
        var user = parse.GetValue(User) ?? Environment.GetEnvironmentVariable("ETCDCTL_USER");
        var password = parse.GetValue(Password) ?? Environment.GetEnvironmentVariable("ETCDCTL_PASSWORD");
        if (user is not null && user.Contains(':', StringComparison.Ordinal) && password is null)
        {
            password = user[(user.IndexOf(':', StringComparison.Ordinal) + 1)..];
            user = user[..user.IndexOf(':', StringComparison.Ordinal)];
        }

        return new EtcdClientOptions
        {
            Endpoints = [parse.GetValue(Endpoints)!],
            Tls = new EtcdTlsOptions { CaFile = parse.GetValue(CaCert), CertFile = parse.GetValue(Cert), KeyFile = parse.GetValue(Key) },
            Username = user,
            Password = password,
            CommandTimeout = parse.GetValue(CommandTimeout),
        };
    }

    public static EtcdMaintenanceClient CreateClient(ParseResult parse, Action<EtcdClientOptions>? configure = null)
    {
        var options = ClientOptions(parse);
        configure?.Invoke(options);
        return new EtcdMaintenanceClient(options);
    }
}

internal enum OutputFormat
{
    Table,
    Json,
}
