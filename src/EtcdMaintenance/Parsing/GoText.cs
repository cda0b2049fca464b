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

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
