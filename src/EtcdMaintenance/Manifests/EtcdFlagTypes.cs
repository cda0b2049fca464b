using System.Globalization;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// etcd's flags (3.4 to 3.6, from etcd's <c>etcdmain/config.go</c> and its configuration documentation) and the type
/// each is read as, so that a value etcd would refuse at start - or one it would take to mean something harmful - is
/// refused before it is written.
/// </summary>
internal static class EtcdFlagTypes
{
    /// <summary>The smallest quota written without force: below 1 MiB etcd raises NOSPACE almost at once.</summary>
    public const long MinimumQuotaBytes = 1024 * 1024;

    private enum Kind
    {
        Unsigned,
        Signed,
        Duration,
        UrlList,
        Url,
        Choice,
        InitialCluster,
        Retention,
    }

    private static readonly Dictionary<string, Kind> s_kinds = new(StringComparer.Ordinal)
    {
        ["snapshot-count"] = Kind.Unsigned, ["heartbeat-interval"] = Kind.Unsigned, ["election-timeout"] = Kind.Unsigned,
        ["max-snapshots"] = Kind.Unsigned, ["max-wals"] = Kind.Unsigned, ["max-txn-ops"] = Kind.Unsigned,
        ["max-request-bytes"] = Kind.Unsigned, ["max-concurrent-streams"] = Kind.Unsigned, ["auth-token-ttl"] = Kind.Unsigned,
        ["bcrypt-cost"] = Kind.Unsigned, ["experimental-snapshot-catchup-entries"] = Kind.Unsigned, ["snapshot-catchup-entries"] = Kind.Unsigned,
        ["experimental-max-learners"] = Kind.Unsigned, ["max-learners"] = Kind.Unsigned, ["proxy-dial-timeout"] = Kind.Unsigned,
        ["proxy-failure-wait"] = Kind.Unsigned, ["proxy-read-timeout"] = Kind.Unsigned, ["proxy-refresh-interval"] = Kind.Unsigned,
        ["proxy-write-timeout"] = Kind.Unsigned,
        ["quota-backend-bytes"] = Kind.Signed, ["backend-batch-limit"] = Kind.Signed, ["experimental-compaction-batch-limit"] = Kind.Signed,
        ["compaction-batch-limit"] = Kind.Signed,
        ["backend-batch-interval"] = Kind.Duration, ["grpc-keepalive-min-time"] = Kind.Duration, ["grpc-keepalive-interval"] = Kind.Duration,
        ["grpc-keepalive-timeout"] = Kind.Duration, ["experimental-corrupt-check-time"] = Kind.Duration, ["corrupt-check-time"] = Kind.Duration,
        ["experimental-watch-progress-notify-interval"] = Kind.Duration, ["watch-progress-notify-interval"] = Kind.Duration,
        ["experimental-warning-apply-duration"] = Kind.Duration, ["warning-apply-duration"] = Kind.Duration,
        ["experimental-compaction-sleep-interval"] = Kind.Duration, ["compaction-sleep-interval"] = Kind.Duration,
        ["experimental-downgrade-check-time"] = Kind.Duration, ["downgrade-check-time"] = Kind.Duration,
        ["experimental-warning-unary-request-duration"] = Kind.Duration, ["warning-unary-request-duration"] = Kind.Duration,
        ["listen-peer-urls"] = Kind.UrlList, ["listen-client-urls"] = Kind.UrlList, ["listen-client-http-urls"] = Kind.UrlList,
        ["initial-advertise-peer-urls"] = Kind.UrlList, ["advertise-client-urls"] = Kind.UrlList, ["listen-metrics-urls"] = Kind.UrlList,
        ["discovery"] = Kind.Url,
        ["initial-cluster-state"] = Kind.Choice, ["auto-compaction-mode"] = Kind.Choice, ["logger"] = Kind.Choice, ["log-level"] = Kind.Choice,
        ["log-format"] = Kind.Choice, ["metrics"] = Kind.Choice, ["proxy"] = Kind.Choice, ["discovery-fallback"] = Kind.Choice,
        ["experimental-backend-bbolt-freelist-type"] = Kind.Choice, ["v2-deprecation"] = Kind.Choice,
        ["initial-cluster"] = Kind.InitialCluster,
        ["auto-compaction-retention"] = Kind.Retention,
    };

    private static readonly Dictionary<string, string[]> s_choices = new(StringComparer.Ordinal)
    {
        ["initial-cluster-state"] = ["new", "existing"],
        ["auto-compaction-mode"] = ["periodic", "revision"],
        ["logger"] = ["zap", "capnslog"],
        ["log-level"] = ["debug", "info", "warn", "error", "dpanic", "panic", "fatal"],
        ["log-format"] = ["json", "console"],
        ["metrics"] = ["basic", "extensive"],
        ["proxy"] = ["off", "readonly", "on"],
        ["discovery-fallback"] = ["exit", "proxy"],
        ["experimental-backend-bbolt-freelist-type"] = ["map", "array"],
        ["v2-deprecation"] = ["not-yet", "write-only", "write-only-drop-data", "gone"],
    };

    /// <summary>Keys that only etcd's configuration file has (sections rather than flags).</summary>
    private static readonly HashSet<string> s_configFileSections = new(StringComparer.Ordinal)
    {
        "client-transport-security", "peer-transport-security", "self-signed-cert-validity", "log-rotation-config-json",
    };

    /// <summary>Whether etcd 3.4-3.6 has a flag of this name (without dashes).</summary>
    public static bool IsKnown(string name) =>
        EtcdFlagSyntax.IsBoolean(name) || EtcdFlagSyntax.AlwaysTakesValue(name) || s_kinds.ContainsKey(name) || s_configFileSections.Contains(name);

    /// <summary>What is wrong with <paramref name="value"/> for flag <paramref name="name"/>, or <see langword="null"/> when etcd reads it as intended.</summary>
    /// <param name="name">The flag, without dashes; unknown flags are not checked here.</param>
    /// <param name="value">The value; <see langword="null"/> for a flag written alone.</param>
    public static string? Check(string name, string? value)
    {
        if (EtcdFlagSyntax.IsBoolean(name))
        {
            return value is null or "1" or "t" or "T" or "true" or "TRUE" or "True" or "0" or "f" or "F" or "false" or "FALSE" or "False"
                ? null
                : $"'{value}' is not a boolean: etcd reads true or false (as Go's strconv.ParseBool: 1, t, true, 0, f, false)";
        }

        if (!s_kinds.TryGetValue(name, out var kind) || value is null)
        {
            return null;
        }

        switch (kind)
        {
            case Kind.Unsigned when !ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _):
                return $"'{value}' is not a whole number: etcd reads --{name} as an unsigned integer (no units, no sign)";
            case Kind.Signed when !long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _):
                var hint = name == EtcdFlagSyntax.QuotaBackendBytes && QuotaBackendBytes.TryParse(value, out var meant) ? $" (did you mean {meant}?)" : string.Empty;
                return $"'{value}' is not a whole number: etcd reads --{name} as an integer (no units){hint}";
            case Kind.Duration when !GoDuration.TryParse(value, out _):
                return $"'{value}' is not a duration: etcd reads --{name} as a Go duration such as 500ms, 5s, 2m or 1h30m";
            case Kind.UrlList:
                return value.Split(',').Select(EtcdUrls.Check).FirstOrDefault(e => e is not null) is { } urlError
                    ? $"{urlError.TrimEnd('.')}: etcd reads --{name} as comma-separated URLs such as https://10.0.0.1:2379"
                    : null;
            case Kind.Url when value.Length > 0 && (!Uri.TryCreate(value, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https")):
                return $"'{value}' is not an http(s) URL";
            case Kind.Choice when !s_choices[name].Contains(value, StringComparer.Ordinal):
                return $"'{value}' is not one of the values etcd accepts for --{name}: {string.Join(", ", s_choices[name])}";
            case Kind.InitialCluster when !InitialCluster.TryParse(value, out _):
                return $"'{value}' is not an initial cluster: etcd reads name=peer-url pairs separated by commas";
            case Kind.Retention when !(long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _) || GoDuration.TryParse(value, out _)):
                return $"'{value}' is not a retention: etcd reads a number (hours, or revisions in revision mode) or a Go duration such as 30m";
            default:
                return null;
        }
    }
}
