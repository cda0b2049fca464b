using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// etcd's backend quota (<c>--quota-backend-bytes</c>): the database size at which etcd raises the NOSPACE alarm and refuses
/// writes. Parses what operators write (<c>3221225472</c>, <c>3Gi</c>, <c>3GiB</c>, <c>8GB</c>, <c>512Mi</c>, <c>1.5GiB</c>)
/// and prints the integer byte count etcd reads.
/// </summary>
/// <remarks>
/// Units follow Kubernetes: <c>Ki Mi Gi Ti</c> (and <c>KiB</c>...) are powers of 1024, <c>K M G T</c> (and <c>KB</c>...) powers
/// of 1000; letters are matched case-insensitively. A quota of 0 means etcd's default (<see cref="EtcdDefault"/>, 2 GiB).
/// </remarks>
public readonly partial record struct QuotaBackendBytes : IComparable<QuotaBackendBytes>, IParsable<QuotaBackendBytes>
{
    private const long GiB = 1L << 30;

    /// <summary>Creates a quota of the given number of bytes; 0 means etcd's default.</summary>
    /// <param name="bytes">The byte count, not negative (a negative quota disables etcd's quota, which this library does not write).</param>
    [System.Text.Json.Serialization.JsonConstructor]
    public QuotaBackendBytes(long bytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        Bytes = bytes;
    }

    /// <summary>The byte count as written to the flag (0 means etcd's default).</summary>
    public long Bytes { get; }

    /// <summary>The quota etcd enforces: <see cref="Bytes"/>, or 2 GiB when it is 0.</summary>
    public long EffectiveBytes => Bytes == 0 ? EtcdDefault.Bytes : Bytes;

    /// <summary>etcd's default quota, 2 GiB, used when the flag is absent or 0.</summary>
    public static QuotaBackendBytes EtcdDefault => new(2 * GiB);

    /// <summary>etcd's suggested maximum, 8 GiB; etcd logs a warning above it.</summary>
    public static QuotaBackendBytes SuggestedMaximum => new(8 * GiB);

    [GeneratedRegex(@"^\s*([0-9]+(?:\.[0-9]+)?)\s*([A-Za-z]*)\s*$", RegexOptions.CultureInvariant)]
    private static partial Regex QuantityPattern();

    /// <summary>Parses a byte count with an optional unit. Throws <see cref="FormatException"/> when it does not parse.</summary>
    /// <param name="s">E.g. <c>3221225472</c>, <c>3Gi</c>, <c>3GiB</c>, <c>8GB</c>.</param>
    public static QuotaBackendBytes Parse(string s) => Parse(s, null);

    /// <summary>Parses a byte count with an optional unit. Throws <see cref="FormatException"/> when it does not parse.</summary>
    /// <param name="s">E.g. <c>3221225472</c>, <c>3Gi</c>, <c>3GiB</c>, <c>8GB</c>.</param>
    /// <param name="provider">Ignored: quantities are culture-invariant.</param>
    public static QuotaBackendBytes Parse(string s, IFormatProvider? provider)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, out var result, out var error) ? result : throw new FormatException(error);
    }

    /// <summary>Tries to parse a byte count with an optional unit.</summary>
    /// <param name="s">E.g. <c>3221225472</c>, <c>3Gi</c>, <c>3GiB</c>, <c>8GB</c>.</param>
    /// <param name="result">The quota, when the text parses.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, out QuotaBackendBytes result) => TryParse(s, out result, out _);

    /// <summary>Tries to parse a byte count with an optional unit.</summary>
    /// <param name="s">E.g. <c>3221225472</c>, <c>3Gi</c>, <c>3GiB</c>, <c>8GB</c>.</param>
    /// <param name="provider">Ignored: quantities are culture-invariant.</param>
    /// <param name="result">The quota, when the text parses.</param>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out QuotaBackendBytes result) => TryParse(s, out result, out _);

    internal static bool TryParse([NotNullWhen(true)] string? s, out QuotaBackendBytes result, out string error)
    {
        result = default;
        var match = s is null ? null : QuantityPattern().Match(s);
        if (match is not { Success: true })
        {
            error = $"'{s}' is not a byte count: write a whole number of bytes or a number with a unit (3221225472, 3Gi, 3GiB, 8GB).";
            return false;
        }

        long? multiplier = match.Groups[2].Value.ToUpperInvariant() switch
        {
            "" or "B" => 1,
            "K" or "KB" => 1_000,
            "KI" or "KIB" => 1L << 10,
            "M" or "MB" => 1_000_000,
            "MI" or "MIB" => 1L << 20,
            "G" or "GB" => 1_000_000_000,
            "GI" or "GIB" => 1L << 30,
            "T" or "TB" => 1_000_000_000_000,
            "TI" or "TIB" => 1L << 40,
            _ => null,
        };
        if (multiplier is null)
        {
            error = $"'{s}' has an unknown unit '{match.Groups[2].Value}': use B, Ki/KiB, Mi/MiB, Gi/GiB, Ti/TiB (powers of 1024) or K/KB, M/MB, G/GB, T/TB (powers of 1000).";
            return false;
        }

        if (!decimal.TryParse(match.Groups[1].Value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            error = $"'{s}' is too large.";
            return false;
        }

        decimal bytes;
        try
        {
            bytes = number * multiplier.Value;
        }
        catch (OverflowException)
        {
            error = $"'{s}' is too large.";
            return false;
        }

        if (bytes != decimal.Truncate(bytes))
        {
            error = $"'{s}' is not a whole number of bytes.";
            return false;
        }

        if (bytes > long.MaxValue)
        {
            error = $"'{s}' is too large.";
            return false;
        }

        result = new QuotaBackendBytes((long)bytes);
        error = string.Empty;
        return true;
    }

    /// <summary>The integer byte count, as written to <c>--quota-backend-bytes</c>.</summary>
    public override string ToString() => Bytes.ToString(CultureInfo.InvariantCulture);

    /// <summary>A size for people: <c>3 GiB</c>, <c>1.5 GiB</c>, <c>16 MiB</c>, <c>7.45 GiB</c>; 0 prints as <c>default (2 GiB)</c>.</summary>
    public string ToDisplayString() => Bytes == 0 ? "default (2 GiB)" : FormatSize(Bytes);

    internal static string FormatSize(long bytes) => ByteSize.Format(bytes);

    /// <summary>
    /// Orders by the quota etcd enforces (<see cref="EffectiveBytes"/>); 0, which means the 2 GiB default, sorts just
    /// below an explicit 2 GiB so that the order agrees with equality.
    /// </summary>
    /// <param name="other">The quota to compare with.</param>
    public int CompareTo(QuotaBackendBytes other)
    {
        var byEffect = EffectiveBytes.CompareTo(other.EffectiveBytes);
        return byEffect != 0 ? byEffect : Bytes.CompareTo(other.Bytes);
    }

    /// <summary>Compares the quotas etcd enforces.</summary>
    public static bool operator <(QuotaBackendBytes left, QuotaBackendBytes right) => left.CompareTo(right) < 0;

    /// <summary>Compares the quotas etcd enforces.</summary>
    public static bool operator >(QuotaBackendBytes left, QuotaBackendBytes right) => left.CompareTo(right) > 0;

    /// <summary>Compares the quotas etcd enforces.</summary>
    public static bool operator <=(QuotaBackendBytes left, QuotaBackendBytes right) => left.CompareTo(right) <= 0;

    /// <summary>Compares the quotas etcd enforces.</summary>
    public static bool operator >=(QuotaBackendBytes left, QuotaBackendBytes right) => left.CompareTo(right) >= 0;
}
