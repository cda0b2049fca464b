using System.Text.RegularExpressions;

namespace EtcdMaintenance.Manifests;

/// <summary>etcd's flags as its command line reads them (Go's <c>flag</c> package): names, boolean flags, and how items pair up.</summary>
internal static partial class EtcdFlagSyntax
{
    public const string QuotaBackendBytes = "quota-backend-bytes";
    public const string AutoCompactionMode = "auto-compaction-mode";
    public const string AutoCompactionRetention = "auto-compaction-retention";
    public const string InitialCluster = "initial-cluster";
    public const string InitialClusterState = "initial-cluster-state";
    public const string Name = "name";
    public const string DataDir = "data-dir";
    public const string ConfigFile = "config-file";

    /// <summary>etcd's boolean flags (3.4 to 3.6): written alone they mean true, and they never take the next item as their value.</summary>
    private static readonly HashSet<string> s_boolean = new(StringComparer.Ordinal)
    {
        "initial-election-tick-advance", "strict-reconfig-check", "pre-vote", "enable-v2", "client-cert-auth", "auto-tls",
        "peer-client-cert-auth", "peer-auto-tls", "enable-pprof", "experimental-initial-corrupt-check",
        "experimental-enable-lease-checkpoint", "experimental-peer-skip-client-san-verification", "force-new-cluster", "debug",
        "version", "help", "h", "enable-grpc-gateway", "enable-log-rotation", "experimental-enable-distributed-tracing",
        "experimental-enable-lease-checkpoint-persist", "experimental-memory-mlock", "experimental-txn-mode-write-with-shared-buffer",
        "unsafe-no-fsync", "socket-reuse-port", "socket-reuse-address", "experimental-compact-hash-check-enabled",
        "experimental-stop-grpc-service-on-defrag", "initial-corrupt-check", "compact-hash-check-enabled",
        "peer-skip-client-san-verification", "memory-mlock", "txn-mode-write-with-shared-buffer", "stop-grpc-service-on-defrag",
        "enable-distributed-tracing", "experimental-enable-lease-checkpoint-persist",
    };

    /// <summary>etcd flags that always take a value (so the next item is their value even when it starts with a dash).</summary>
    private static readonly HashSet<string> s_valued = new(StringComparer.Ordinal)
    {
        "name", "data-dir", "wal-dir", "snapshot-count", "heartbeat-interval", "election-timeout", "listen-peer-urls",
        "listen-client-urls", "listen-client-http-urls", "max-snapshots", "max-wals", "quota-backend-bytes", "backend-batch-interval",
        "backend-batch-limit", "max-txn-ops", "max-request-bytes", "max-concurrent-streams", "grpc-keepalive-min-time",
        "grpc-keepalive-interval", "grpc-keepalive-timeout", "initial-advertise-peer-urls", "initial-cluster",
        "initial-cluster-state", "initial-cluster-token", "advertise-client-urls", "discovery", "discovery-fallback",
        "discovery-proxy", "discovery-srv", "discovery-srv-name", "auto-compaction-retention", "auto-compaction-mode", "cert-file",
        "key-file", "client-crl-file", "client-cert-allowed-hostname", "trusted-ca-file", "peer-cert-file", "peer-key-file",
        "peer-trusted-ca-file", "peer-cert-allowed-cn", "peer-cert-allowed-hostname", "peer-crl-file", "cipher-suites", "cors",
        "host-whitelist", "auth-token", "bcrypt-cost", "auth-token-ttl", "metrics", "listen-metrics-urls", "logger", "log-outputs",
        "log-level", "log-format", "log-package-levels", "config-file", "tls-min-version", "tls-max-version", "proxy",
        "experimental-corrupt-check-time", "experimental-enable-v2v3", "experimental-backend-bbolt-freelist-type",
        "experimental-compaction-batch-limit", "experimental-watch-progress-notify-interval", "experimental-warning-apply-duration",
        "experimental-snapshot-catchup-entries", "experimental-compaction-sleep-interval", "experimental-downgrade-check-time",
        "experimental-max-learners", "experimental-warning-unary-request-duration", "feature-gates", "v2-deprecation",
    };

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();

    public static bool IsBoolean(string name) => s_boolean.Contains(name);

    public static bool AlwaysTakesValue(string name) => s_valued.Contains(name);

    /// <summary>A flag name without its leading dashes; throws <see cref="ArgumentException"/> for anything that is not a flag name.</summary>
    public static string Normalize(string name, string parameterName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, parameterName);
        var trimmed = name.StartsWith("--", StringComparison.Ordinal) ? name[2..] : name.StartsWith('-') ? name[1..] : name;
        if (!NamePattern().IsMatch(trimmed))
        {
            throw new ArgumentException($"'{name}' is not an etcd flag name (letters, digits, '-', '.' and '_'; e.g. quota-backend-bytes).", parameterName);
        }

        return trimmed;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a value that cannot be one command-line item or one YAML line.</summary>
    public static void ValidateValue(string? value, string parameterName = "value")
    {
        if (value is not null && value.Any(c => char.IsControl(c) && c != '\t' || c is '\u0085' or '\u2028' or '\u2029'))
        {
            throw new ArgumentException("A flag value cannot contain line breaks or control characters.", parameterName);
        }
    }

    /// <summary>One flag found on a command line: which items hold its name and its value.</summary>
    public sealed record Occurrence(string Name, string? Value, int Dashes, ManifestFlagSyntax Syntax, int NameItem, int? ValueItem);

    /// <summary>What a command line (the items after the executable) holds, paired the way Go's flag package pairs them.</summary>
    public sealed record ParsedArguments(IReadOnlyList<Occurrence> Flags, IReadOnlyList<int> StrayItems, IReadOnlyList<int> MissingValueItems);

    /// <summary>
    /// Pairs command-line items into flags: <c>--name=value</c>; <c>--name value</c> for flags that take a value (a known
    /// etcd flag always takes the next item; an unknown one takes it unless it starts with a dash); <c>--name</c> alone for
    /// boolean flags. Go stops at the first item that is not a flag and etcd then refuses to start; this reader keeps going
    /// and reports such items as strays. Items after <c>--</c> are strays too.
    /// </summary>
    public static ParsedArguments Parse(IReadOnlyList<string> items)
    {
        var flags = new List<Occurrence>();
        var strays = new List<int>();
        var missing = new List<int>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item == "--")
            {
                strays.AddRange(Enumerable.Range(i + 1, items.Count - i - 1));
                break;
            }

            var dashes = item.StartsWith("--", StringComparison.Ordinal) ? 2 : item.StartsWith('-') ? 1 : 0;
            var body = item[dashes..];
            if (dashes == 0 || body.Length == 0 || body[0] is '-' or '=')
            {
                strays.Add(i);
                continue;
            }

            var equals = body.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                flags.Add(new Occurrence(body[..equals], body[(equals + 1)..], dashes, ManifestFlagSyntax.Joined, i, null));
                continue;
            }

            var hasNext = i + 1 < items.Count;
            var takesNext = !IsBoolean(body) && hasNext && (AlwaysTakesValue(body) || !items[i + 1].StartsWith('-'));
            if (takesNext)
            {
                flags.Add(new Occurrence(body, items[i + 1], dashes, ManifestFlagSyntax.Separate, i, i + 1));
                i++;
            }
            else
            {
                if (AlwaysTakesValue(body))
                {
                    missing.Add(i);
                }

                flags.Add(new Occurrence(body, null, dashes, ManifestFlagSyntax.Bare, i, null));
            }
        }

        return new ParsedArguments(flags, strays, missing);
    }
}
