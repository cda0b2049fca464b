using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EtcdMaintenance;

/// <summary>
/// Byte sizes for people and from etcdctl: formats as <c>512 B</c>, <c>16 MiB</c>, <c>1.5 GiB</c> (IEC units, up to two
/// decimals), and parses whole byte counts (<c>2147483648</c>), IEC units (<c>2GiB</c>, <c>16 MiB</c>) and the SI units
/// etcdctl prints in <c>-w table</c> and <c>-w simple</c> (go-humanize's <c>25 kB</c>, <c>1.2 MB</c>). The one size
/// helper the library and etcd-doctor use.
/// </summary>
public static class ByteSize
{
    private static readonly string[] s_units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Writes a size in IEC units with up to two decimals: <c>0 B</c>, <c>999 B</c>, <c>16 MiB</c>, <c>7.45 GiB</c>.</summary>
    public static string Format(long bytes)
    {
        var value = Math.Abs((double)bytes);
        var unit = 0;
        while (value >= 1024 && unit < s_units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        var sign = bytes < 0 ? "-" : string.Empty;
        return unit == 0
            ? bytes.ToString(CultureInfo.InvariantCulture) + " B"
            : string.Create(CultureInfo.InvariantCulture, $"{sign}{Math.Round(value, 2)} {s_units[unit]}");
    }

    /// <summary>Parses a size: a whole byte count, or a number with a unit (<c>B</c>, <c>kB</c>/<c>KB</c>...<c>EB</c> powers of 1000, <c>KiB</c>...<c>EiB</c> powers of 1024).</summary>
    /// <exception cref="FormatException">The text is not a size; the message quotes it and shows the expected form.</exception>
    public static long Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var bytes)
            ? bytes
            : throw new FormatException($"'{text}' is not a size: write a whole number of bytes or a number with a unit, e.g. 2147483648, 2GiB or 25 kB.");
    }

    /// <summary>Tries to parse a size; see <see cref="Parse"/>. A size with a unit is rounded to whole bytes.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out long bytes)
    {
        bytes = 0;
        return text is not null && TryParse(text, out bytes, out _);
    }

    /// <summary>Parses a size; <paramref name="approximate"/> says whether it had a unit (etcdctl rounds those to two or three digits).</summary>
    internal static bool TryParse(ReadOnlySpan<char> text, out long bytes, out bool approximate)
    {
        bytes = 0;
        approximate = false;
        text = text.Trim();
        var digits = 0;
        while (digits < text.Length && (char.IsAsciiDigit(text[digits]) || text[digits] == '.'))
        {
            digits++;
        }

        if (digits == 0 || digits > 32 ||
            !decimal.TryParse(text[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) ||
            !TryUnit(text[digits..].Trim(), out var multiplier))
        {
            return false;
        }

        decimal value;
        try
        {
            value = decimal.Round(number * multiplier, MidpointRounding.AwayFromZero);
        }
        catch (OverflowException)
        {
            return false;
        }

        if (value > long.MaxValue)
        {
            return false;
        }

        bytes = (long)value;
        approximate = multiplier != 1;
        return multiplier != 1 || number == decimal.Truncate(number);
    }

    private static bool TryUnit(ReadOnlySpan<char> unit, out decimal multiplier)
    {
        multiplier = 1;
        if (unit.IsEmpty || unit.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        var iec = unit.Length == 3 && unit[1] is 'i' or 'I' && unit[2] is 'B' or 'b';
        var power = (unit.Length == 2 && unit[1] is 'B' or 'b') || iec ? "KMGTPE".IndexOf(char.ToUpperInvariant(unit[0]), StringComparison.Ordinal) + 1 : 0;
        for (var i = 0; i < power; i++)
        {
            multiplier *= iec ? 1024m : 1000m;
        }

        return power > 0;
    }
}
