using System.CommandLine;
using EtcdMaintenance;

namespace EtcdDoctor;

/// <summary>etcdctl's global flags, with etcdctl's environment variables as fallbacks (a flag wins over its variable).</summary>
internal static class GlobalOptions
{
    public const string DefaultEndpoint = "127.0.0.1:2379";

    public static readonly Option<string[]> Endpoints = new("--endpoints")
    {
        Description = $"Client URLs, comma-separated or repeated (env ETCDCTL_ENDPOINTS; default {DefaultEndpoint}).",
        Recursive = true,
        AllowMultipleArgumentsPerToken = false,
    };

    public static readonly Option<string?> CaCert = new("--cacert") { Description = "CA certificate file (PEM), e.g. /etc/kubernetes/pki/etcd/ca.crt (env ETCDCTL_CACERT).", Recursive = true };

    public static readonly Option<string?> Cert = new("--cert") { Description = "Client certificate file (PEM) (env ETCDCTL_CERT).", Recursive = true };

    public static readonly Option<string?> Key = new("--key") { Description = "Client private key file (PEM) (env ETCDCTL_KEY).", Recursive = true };

    public static readonly Option<string?> User = new("--user") { Description = "etcd user, as NAME or NAME:PASSWORD (env ETCDCTL_USER).", Recursive = true };

    public static readonly Option<string?> Password = new("--password") { Description = "etcd password (prefer env ETCDCTL_PASSWORD; never printed).", Recursive = true };

    public static readonly Option<TimeSpan?> DialTimeout = Cli.DurationOption("--dial-timeout", "Timeout of a connection to a member (env ETCDCTL_DIAL_TIMEOUT; default 2s).", recursive: true);

    public static readonly Option<TimeSpan?> CommandTimeout = Cli.DurationOption("--command-timeout", "Timeout of ordinary calls (env ETCDCTL_COMMAND_TIMEOUT; default 5s).", recursive: true);

    public static readonly Option<bool?> InsecureSkipTlsVerify = new("--insecure-skip-tls-verify")
    {
        Description = "Accept any server certificate WITHOUT verifying it (env ETCDCTL_INSECURE_SKIP_TLS_VERIFY). Lab use only; a warning is printed.",
        Recursive = true,
    };

    public static readonly Option<bool?> InsecureTransport = new("--insecure-transport")
    {
        Description = "Plain http for endpoints written without a scheme when no TLS flag is given (env ETCDCTL_INSECURE_TRANSPORT; default true). --insecure-transport=false uses TLS with the system's CAs.",
        Recursive = true,
    };

    public static readonly Option<OutputFormat> Output = new("--output", "-o", "-w", "--write-out")
    {
        Description = "Output format: table (fits 80 columns), wide (every column) or json.",
        DefaultValueFactory = _ => OutputFormat.Table,
        Recursive = true,
    };

    public static void AddTo(RootCommand root)
    {
        foreach (var option in new Option[] { Endpoints, CaCert, Cert, Key, User, Password, DialTimeout, CommandTimeout, InsecureSkipTlsVerify, InsecureTransport, Output })
        {
            root.Options.Add(option);
        }
    }

    public static EtcdClientOptions ClientOptions(ParseResult parse)
    {
        var password = parse.GetValue(Password) ?? Env("ETCDCTL_PASSWORD");
        var credentials = (parse.GetValue(User) ?? Env("ETCDCTL_USER")) is { } user ? EtcdCredentials.Parse(user, password) : null;

        var skipVerify = parse.GetValue(InsecureSkipTlsVerify) ?? EnvBool("ETCDCTL_INSECURE_SKIP_TLS_VERIFY") ?? false;
        if (skipVerify)
        {
            Console.Error.WriteLine("etcd-doctor: WARNING: --insecure-skip-tls-verify: server certificates are NOT verified; anyone on the network path can read and change this traffic.");
        }

        var tls = new EtcdTlsOptions
        {
            CaFile = parse.GetValue(CaCert) ?? Env("ETCDCTL_CACERT"),
            CertFile = parse.GetValue(Cert) ?? Env("ETCDCTL_CERT"),
            KeyFile = parse.GetValue(Key) ?? Env("ETCDCTL_KEY"),
            InsecureSkipTlsVerify = skipVerify,
        };
        if (!(parse.GetValue(InsecureTransport) ?? EnvBool("ETCDCTL_INSECURE_TRANSPORT") ?? true))
        {
            tls.Enabled = true;
        }

        return new EtcdClientOptions
        {
            Endpoints = [.. EndpointList(parse)],
            Tls = tls,
            Username = credentials?.Username,
            Password = credentials?.Password ?? password,
            DialTimeout = parse.GetValue(DialTimeout) ?? EnvDuration("ETCDCTL_DIAL_TIMEOUT") ?? TimeSpan.FromSeconds(2),
            CommandTimeout = parse.GetValue(CommandTimeout) ?? EnvDuration("ETCDCTL_COMMAND_TIMEOUT") ?? TimeSpan.FromSeconds(5),
        };
    }

    public static EtcdMaintenanceClient CreateClient(ParseResult parse, Action<EtcdClientOptions>? configure = null)
    {
        var options = ClientOptions(parse);
        configure?.Invoke(options);
        return new EtcdMaintenanceClient(options);
    }

    /// <summary>The endpoints from every <c>--endpoints</c> (repeated or comma-separated), else ETCDCTL_ENDPOINTS, else the default; never empty.</summary>
    private static IEnumerable<string> EndpointList(ParseResult parse)
    {
        var given = parse.GetValue(Endpoints) is { Length: > 0 } flags ? (Source: "--endpoints", Values: flags)
            : Env("ETCDCTL_ENDPOINTS") is { } env ? (Source: "ETCDCTL_ENDPOINTS", Values: [env])
            : (Source: "default", Values: [DefaultEndpoint]);
        var items = given.Values.SelectMany(v => v.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        return items.Count > 0
            ? items
            : throw new FormatException($"{given.Source} '{string.Join(",", given.Values)}' names no endpoint: give client URLs such as https://10.0.0.1:2379,https://10.0.0.2:2379.");
    }

    private static string? Env(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : null;

    private static bool? EnvBool(string name) => Env(name) switch
    {
        null => null,
        var text when bool.TryParse(text, out var value) => value,
        "1" => true,
        "0" => false,
        var text => throw new FormatException($"{name}='{text}' is not a boolean: use true or false."),
    };

    private static TimeSpan? EnvDuration(string name) => Env(name) switch
    {
        null => null,
        var text when GoDuration.TryParse(text, out var value) && value > TimeSpan.Zero => value,
        var text => throw new FormatException($"{name}='{text}' is not a duration: {Cli.DurationHint}"),
    };
}

internal enum OutputFormat
{
    Table,
    Wide,
    Json,
}
