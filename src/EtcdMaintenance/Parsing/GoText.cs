using System.Globalization;
using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>Reads the bits of Go formatting etcdctl prints: <c>%q</c> strings and <c>time.Duration</c> strings.</summary>
internal static class GoText
{
    /// <summary>Unquotes a Go <c>%q</c> string (<c>"3.4.23"</c>, <c>"a\"b"</c>, <c>"\u00e9"</c>); <paramref name="consumed"/> is its length with quotes.</summary>
    public static bool TryUnquote(ReadOnlySpan<char> text, out string value, out int consumed)
    {
        value = string.Empty;
        consumed = 0;
        if (text.IsEmpty || text[0] != '"')
        {
            return false;
        }

        var plainEnd = text[1..].IndexOfAny('"', '\\');
        if (plainEnd >= 0 && text[1 + plainEnd] == '"')
        {
            value = text.Slice(1, plainEnd).ToString();
            consumed = plainEnd + 2;
            return true;
        }

        var builder = new StringBuilder();
        var i = 1;
        while (i < text.Length)
        {
            var c = text[i];
            if (c == '"')
            {
                value = builder.ToString();
                consumed = i + 1;
                return true;
            }

            if (c != '\\')
            {
                builder.Append(c);
                i++;
                continue;
            }

            if (i + 1 >= text.Length)
            {
                return false;
            }

            var escape = text[i + 1];
            i += 2;
            switch (escape)
            {
                case 'a': builder.Append('\a'); break;
                case 'b': builder.Append('\b'); break;
                case 'f': builder.Append('\f'); break;
                case 'n': builder.Append('\n'); break;
                case 'r': builder.Append('\r'); break;
                case 't': builder.Append('\t'); break;
                case 'v': builder.Append('\v'); break;
                case '\\': builder.Append('\\'); break;
                case '"': builder.Append('"'); break;
                case '\'': builder.Append('\''); break;
                case 'x' or 'u' or 'U':
                    var length = escape == 'x' ? 2 : escape == 'u' ? 4 : 8;
                    if (i + length > text.Length ||
                        !uint.TryParse(text.Slice(i, length), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code))
                    {
                        return false;
                    }

                    if (escape == 'x')
                    {
                        // \xNN is one byte of (possibly invalid) UTF-8; keep it as the Latin-1 character like most readers do.
                        builder.Append((char)code);
                    }
                    else if (code <= 0x10FFFF && (code < 0xD800 || code > 0xDFFF))
                    {
                        builder.Append(char.ConvertFromUtf32((int)code));
                    }
                    else
                    {
                        return false;
                    }

                    i += length;
                    break;
                case >= '0' and <= '7':
                    if (i + 2 > text.Length || !IsOctal(text[i]) || !IsOctal(text[i + 1]))
                    {
                        return false;
                    }

                    builder.Append((char)(((escape - '0') * 64) + ((text[i] - '0') * 8) + (text[i + 1] - '0')));
                    i += 2;
                    break;
                default:
                    return false;
            }
        }

        return false;
    }

    /// <summary>
    /// Parses a Go <c>time.Duration</c> string (<c>2.720259ms</c>, <c>3.001089292s</c>, <c>1m2.5s</c>, <c>500µs</c>,
    /// <c>0s</c>); precision below 100 ns (one tick) is rounded.
    /// </summary>
    public static bool TryParseDuration(ReadOnlySpan<char> text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var negative = text[0] == '-';
        if (text[0] is '-' or '+')
        {
            text = text[1..];
        }

        if (text.SequenceEqual("0"))
        {
            return true;
        }

        decimal totalNanoseconds = 0;
        while (!text.IsEmpty)
        {
            var digits = 0;
            while (digits < text.Length && (char.IsAsciiDigit(text[digits]) || text[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || digits > 28 ||
                !decimal.TryParse(text[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            text = text[digits..];
            var unitLength = 0;
            while (unitLength < text.Length && !char.IsAsciiDigit(text[unitLength]) && text[unitLength] != '.')
            {
                unitLength++;
            }

            decimal nanoseconds = text[..unitLength] switch
            {
                "ns" => 1m,
                "us" or "\u00B5s" or "\u03BCs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => 0m,
            };
            if (nanoseconds == 0)
            {
                return false;
            }

            totalNanoseconds += number * nanoseconds;
            if (totalNanoseconds > 9_300_000_000_000_000_000m)
            {
                return false;
            }

            text = text[unitLength..];
        }

        var ticks = (long)decimal.Round(totalNanoseconds / 100m, MidpointRounding.AwayFromZero);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
