using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>One line of UTF-8 output: its 1-based number, where it starts, and its bytes (without the line break).</summary>
internal readonly ref struct Utf8Line(int number, int start, ReadOnlySpan<byte> text, bool isLast)
{
    /// <summary>Whether no byte follows this line (and its line break).</summary>
    public bool IsLast { get; } = isLast;

    public int Number { get; } = number;

    public int Start { get; } = start;

    public ReadOnlySpan<byte> Text { get; } = text;
}

/// <summary>Walks the lines of UTF-8 output from a byte offset without allocating (LF or CRLF).</summary>
internal ref struct Utf8Lines(ReadOnlySpan<byte> utf8, int start = 0)
{
    private readonly ReadOnlySpan<byte> _utf8 = utf8;
    private int _next = start;
    private int _number = start == 0 ? 0 : utf8[..start].Count((byte)'\n');

    public Utf8Line Current { get; private set; }

    public readonly Utf8Lines GetEnumerator() => this;

    public bool MoveNext()
    {
        if (_next >= _utf8.Length)
        {
            return false;
        }

        var rest = _utf8[_next..];
        var newline = rest.IndexOf((byte)'\n');
        var line = newline < 0 ? rest : rest[..newline];
        var start = _next;
        _next = newline < 0 ? _utf8.Length : _next + newline + 1;
        Current = new Utf8Line(++_number, start, line.EndsWith("\r"u8) ? line[..^1] : line, _next >= _utf8.Length);
        return true;
    }
}

/// <summary>Builds positioned parse errors from byte offsets into UTF-8 output; columns are counted in characters.</summary>
internal static class Utf8Text
{
    /// <summary>The error at byte <paramref name="offset"/> of <paramref name="utf8"/>.</summary>
    public static EtcdctlParseError ErrorAt(ReadOnlySpan<byte> utf8, int offset, EtcdctlParseErrorKind kind, string expected)
    {
        offset = Math.Clamp(offset, 0, utf8.Length);
        var lineStart = utf8[..offset].LastIndexOf((byte)'\n') + 1;
        var lineEnd = utf8[lineStart..].IndexOf((byte)'\n');
        var line = lineEnd < 0 ? utf8[lineStart..] : utf8.Slice(lineStart, lineEnd);
        return Error(kind, utf8[..lineStart].Count((byte)'\n') + 1, line.EndsWith("\r"u8) ? line[..^1] : line, offset - lineStart, expected);
    }

    /// <summary>The error for output that stops where more was expected: after the last line.</summary>
    public static EtcdctlParseError EndOfOutput(ReadOnlySpan<byte> utf8, string expected)
    {
        // As EtcdctlText counts lines: a final line break ends the last line rather than starting an empty one.
        var body = utf8.EndsWith("\n"u8) ? utf8[..^1] : utf8;
        var lineStart = body.LastIndexOf((byte)'\n') + 1;
        var last = body[lineStart..];
        last = last.EndsWith("\r"u8) ? last[..^1] : last;
        return new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, body.Count((byte)'\n') + 1, Encoding.UTF8.GetCharCount(last) + 1, expected, "the end of the output");
    }

    /// <summary>The error at a byte column of one line.</summary>
    public static EtcdctlParseError Error(EtcdctlParseErrorKind kind, int lineNumber, ReadOnlySpan<byte> line, int byteColumn, string expected)
    {
        byteColumn = Math.Clamp(byteColumn, 0, line.Length);
        var excerpt = line[byteColumn..];
        excerpt = excerpt[..Math.Min(excerpt.Length, 200)];
        return new EtcdctlParseError(kind, lineNumber, Encoding.UTF8.GetCharCount(line[..byteColumn]) + 1, expected, EtcdctlText.Excerpt(Encoding.UTF8.GetString(excerpt), 0));
    }
}
