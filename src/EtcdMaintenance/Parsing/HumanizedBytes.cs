using System.Globalization;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// Reads sizes as etcdctl prints them in <c>-w table</c> and <c>-w simple</c>: go-humanize's <c>Bytes</c>, SI units
/// rounded to two or three significant digits (<c>20 kB</c>, <c>8.4 MB</c>, <c>17 MB</c>, <c>0 B</c>). IEC units
/// (<c>KiB</c>, <c>MiB</c>...) are read too.
/// </summary>
internal static class HumanizedBytes
{
    /// <summary>Parses a size; <paramref name="approximate"/> says whether the text was rounded (any unit above bytes).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out long bytes, out bool approximate)
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
            !decimal.TryParse(text[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var unit = text[digits..].Trim();
        if (!TryUnit(unit, out var multiplier))
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

        var iec = unit.Length == 3 && (unit[1] == 'i' || unit[1] == 'I') && (unit[2] == 'B' || unit[2] == 'b');
        var si = unit.Length == 2 && (unit[1] == 'B' || unit[1] == 'b');
        if (!iec && !si)
        {
            return false;
        }

        var power = char.ToUpperInvariant(unit[0]) switch
        {
            'K' => 1,
            'M' => 2,
            'G' => 3,
            'T' => 4,
            'P' => 5,
            'E' => 6,
            _ => 0,
        };
        if (power == 0)
        {
            return false;
        }

        var unitBase = iec ? 1024m : 1000m;
        for (var i = 0; i < power; i++)
        {
            multiplier *= unitBase;
        }

        return true;
    }
}
