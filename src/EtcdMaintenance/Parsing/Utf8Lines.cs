using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>Walks the lines of UTF-8 output without allocating (LF or CRLF), keeping line numbers.</summary>
internal ref struct ByteLines
{
    private readonly ReadOnlySpan<byte> _utf8;
    private int _next;

    public ByteLines(ReadOnlySpan<byte> utf8, int start = 0, int firstNumber = 1)
    {
        _utf8 = utf8;
        _next = start;
        Number = firstNumber - 1;
        CurrentStart = start;
    }

    public ReadOnlySpan<byte> Current { get; private set; }

    /// <summary>The offset of <see cref="Current"/> in the whole output.</summary>
    public int CurrentStart { get; private set; }

    /// <summary>The 1-based number of <see cref="Current"/>.</summary>
    public int Number { get; private set; }

    public readonly bool IsLast => _next >= _utf8.Length;

    /// <summary>The output after <see cref="Current"/>.</summary>
    public readonly ReadOnlySpan<byte> Remaining => _utf8[Math.Min(_next, _utf8.Length)..];

    public bool MoveNext()
    {
        if (_next >= _utf8.Length)
        {
            return false;
        }

        var rest = _utf8[_next..];
        var newline = rest.IndexOf((byte)'\n');
        var line = newline < 0 ? rest : rest[..newline];
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        Current = line;
        CurrentStart = _next;
        _next = newline < 0 ? _utf8.Length : _next + newline + 1;
        Number++;
        return true;
    }

    public readonly EtcdctlParseError Error(EtcdctlParseErrorKind kind, int byteColumn, string expected) =>
        Utf8Lines.Error(kind, Number, Current, byteColumn, expected);
}

/// <summary>The byte-level counterparts of <see cref="OutputLines"/>, for the allocation-free revision path.</summary>
internal static class Utf8Lines
{
    public static LineKind Classify(ReadOnlySpan<byte> line)
    {
        var trimmed = line.Trim(" \t\r"u8);
        if (trimmed.IsEmpty)
        {
            return LineKind.Blank;
        }

        if (trimmed.StartsWith("{\"level\":"u8) || IsErrorLine(trimmed) || OutputLines.IsCapnslogLine(trimmed))
        {
            return LineKind.Noise;
        }

        if (trimmed.StartsWith("Failed to get the status of endpoint "u8))
        {
            return LineKind.StatusFailure;
        }

        return trimmed.StartsWith("Failed to get the hash of endpoint "u8) ? LineKind.HashFailure : LineKind.Content;
    }

    public static bool IsErrorLine(ReadOnlySpan<byte> line)
    {
        var trimmed = line.Trim(" \t\r"u8);
        return trimmed.StartsWith("Error: "u8) || trimmed.SequenceEqual("Error:"u8);
    }

    /// <summary>Whether a line starting with <c>[</c> opens a JSON array rather than an IPv6 endpoint; see <see cref="OutputLines.LooksLikeJsonArray"/>.</summary>
    public static bool LooksLikeJsonArray(ReadOnlySpan<byte> line)
    {
        var rest = line.TrimStart(" \t"u8)[1..].TrimStart(" \t\r"u8);
        return rest.IsEmpty || rest[0] is (byte)'{' or (byte)']' or (byte)'"' or (byte)'[';
    }

    /// <summary>Splits <c>"Key" : value</c>; the value is trimmed.</summary>
    public static bool TryField(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> key, out ReadOnlySpan<byte> value)
    {
        key = default;
        value = default;
        var trimmed = line.Trim(" \t\r"u8);
        if (trimmed.Length < 4 || trimmed[0] != (byte)'"')
        {
            return false;
        }

        var close = trimmed[1..].IndexOf((byte)'"');
        if (close <= 0)
        {
            return false;
        }

        var rest = trimmed[(close + 2)..].TrimStart(" \t"u8);
        if (rest.IsEmpty || rest[0] != (byte)':')
        {
            return false;
        }

        key = trimmed.Slice(1, close);
        value = rest[1..].Trim(" \t"u8);
        return true;
    }

    /// <summary>Builds an error for a byte position in a line; the column is counted in characters.</summary>
    public static EtcdctlParseError Error(EtcdctlParseErrorKind kind, int lineNumber, ReadOnlySpan<byte> line, int byteColumn, string expected)
    {
        byteColumn = Math.Clamp(byteColumn, 0, line.Length);
        var column = Encoding.UTF8.GetCharCount(line[..byteColumn]);
        var excerptBytes = line[byteColumn..];
        if (excerptBytes.Length > 200)
        {
            excerptBytes = excerptBytes[..200];
        }

        var excerpt = OutputText.Excerpt(Encoding.UTF8.GetString(excerptBytes), 0);
        return new EtcdctlParseError(kind, lineNumber, column + 1, expected, excerpt);
    }
}
