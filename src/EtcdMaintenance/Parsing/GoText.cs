using System.Globalization;
using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>Reads Go's <c>%q</c> strings as etcdctl prints them (durations: <see cref="GoDuration"/>).</summary>
internal static class GoText
{
    /// <summary>Unquotes a Go <c>%q</c> string (<c>"3.4.23"</c>, <c>"a\"b"</c>, <c>"\u00e9"</c>); <paramref name="consumed"/> is its length with quotes.</summary>
    public static bool TryUnquote(ReadOnlySpan<char> text, out string value, out int consumed)
    {
        value = string.Empty;
        consumed = 0;
        var builder = new StringBuilder();
        for (var i = 1; text.Length > 0 && text[0] == '"' && i < text.Length;)
        {
            var c = text[i++];
            if (c == '"')
            {
                (value, consumed) = (builder.ToString(), i);
                return true;
            }

            var escape = c == '\\' && i < text.Length ? text[i++] : c;
            var digits = escape switch { 'x' => 2, 'u' => 4, 'U' => 8, >= '0' and <= '7' => 2, _ => 0 };
            if (c != '\\' || escape is 'a' or 'b' or 'f' or 'n' or 'r' or 't' or 'v' or '\\' or '"' or '\'')
            {
                builder.Append(c != '\\' ? c : escape switch { 'a' => '\a', 'b' => '\b', 'f' => '\f', 'n' => '\n', 'r' => '\r', 't' => '\t', 'v' => '\v', _ => escape });
                continue;
            }

            if (digits == 0 || i + digits > text.Length)
            {
                return false;
            }

            var number = text.Slice(i, digits);
            i += digits;
            if (escape is >= '0' and <= '7')
            {
                // \NNN: three octal digits, one byte.
                if (!number.ContainsAnyExceptInRange('0', '7'))
                {
                    builder.Append((char)(((escape - '0') * 64) + ((number[0] - '0') * 8) + (number[1] - '0')));
                    continue;
                }

                return false;
            }

            if (!uint.TryParse(number, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code) || (escape != 'x' && (code > 0x10FFFF || code is >= 0xD800 and <= 0xDFFF)))
            {
                return false;
            }

            // \xNN is one byte of (possibly invalid) UTF-8; kept as the Latin-1 character like most readers do.
            builder.Append(escape == 'x' ? ((char)code).ToString() : char.ConvertFromUtf32((int)code));
        }

        return false;
    }
}
