using System.CommandLine;
using System.CommandLine.Parsing;
using EtcdMaintenance;
using EtcdMaintenance.Manifests;

namespace EtcdDoctor;

/// <summary>Option factories shared by the commands: Go durations and sizes with units, rejected at parse time with a clear message.</summary>
internal static class Cli
{
    /// <summary>How to write a duration, for every error about one.</summary>
    public const string DurationHint = "write it as etcdctl does, e.g. 5s, 500ms, 2m or 1h30m.";

    /// <summary>A Go-style duration option (<c>5s</c>, <c>500ms</c>, <c>2m</c>, <c>1h30m</c>), parsed by the library's one parser.</summary>
    public static Option<TimeSpan?> DurationOption(string name, string description, bool recursive = false, bool allowZero = false) => new(name)
    {
        Description = description,
        Recursive = recursive,
        CustomParser = r => ParseDuration(r, name, allowZero),
    };

    /// <summary>A size option with units (<c>8GiB</c>, <c>8Gi</c>, <c>8GB</c>, or bytes), parsed as <c>--quota-backend-bytes</c> values are.</summary>
    public static Option<long?> SizeOption(string name, string description) => new(name)
    {
        Description = description,
        CustomParser = r => ParseSize(r, name),
    };

    private static TimeSpan? ParseDuration(ArgumentResult result, string name, bool allowZero)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (GoDuration.TryParse(text, out var value) && (value > TimeSpan.Zero || (allowZero && value == TimeSpan.Zero)))
        {
            return value;
        }

        result.AddError($"{name}: '{text}' is not a {(allowZero ? string.Empty : "positive ")}duration: {DurationHint}");
        return null;
    }

    private static long? ParseSize(ArgumentResult result, string name)
    {
        var text = result.Tokens.Count == 1 ? result.Tokens[0].Value : string.Empty;
        if (QuotaBackendBytes.TryParse(text, out var size) && size.Bytes > 0)
        {
            return size.Bytes;
        }

        result.AddError($"{name}: '{text}' is not a size: write bytes or a number with a unit, e.g. 8GiB, 8Gi, 8GB or 8589934592.");
        return null;
    }
}
