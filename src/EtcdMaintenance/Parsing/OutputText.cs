using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>One line of the output: its 1-based number and where it lies in the text (without the line break).</summary>
internal readonly record struct TextLine(int Number, int Start, int Length)
{
    public int End => Start + Length;
}

/// <summary>etcdctl output split into lines (LF or CRLF), with helpers that build positioned parse errors.</summary>
internal sealed class OutputText
{
    private const int ExcerptLength = 40;
    private byte[]? _utf8;

    public OutputText(string text)
    {
        Text = text;
        var lines = new List<TextLine>();
        var start = 0;
        var number = 1;
        while (start <= text.Length)
        {
            var newline = text.AsSpan(start).IndexOf('\n');
            var end = newline < 0 ? text.Length : start + newline;
            var length = end - start;
            if (length > 0 && text[end - 1] == '\r')
            {
                length--;
            }

            if (newline < 0)
            {
                // A final line without a line break; a text that ends with one has no extra empty line.
                if (length > 0 || start < text.Length)
                {
                    lines.Add(new TextLine(number, start, length));
                }

                break;
            }

            lines.Add(new TextLine(number++, start, length));
            start = end + 1;
        }

        Lines = lines;
    }

    public string Text { get; }

    /// <summary>The text as UTF-8, for the JSON reader.</summary>
    public byte[] Utf8 => _utf8 ??= Encoding.UTF8.GetBytes(Text);

    public IReadOnlyList<TextLine> Lines { get; }

    public ReadOnlySpan<char> this[TextLine line] => Text.AsSpan(line.Start, line.Length);

    /// <summary>Where a line starts in <see cref="Utf8"/>.</summary>
    public int ByteOffset(TextLine line) => Encoding.UTF8.GetByteCount(Text.AsSpan(0, line.Start));

    /// <summary>The lines that start at or after byte <paramref name="byteOffset"/> of <see cref="Utf8"/>.</summary>
    public IEnumerable<TextLine> LinesFrom(int byteOffset)
    {
        var start = Encoding.UTF8.GetCharCount(Utf8.AsSpan(0, byteOffset));
        return Lines.Where(l => l.Start >= start);
    }

    /// <summary>The line that holds the character at <paramref name="offset"/> (an offset into <see cref="Text"/>).</summary>
    public TextLine LineAt(int offset)
    {
        int low = 0, high = Lines.Count - 1;
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (Lines[mid].Start <= offset)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return Lines.Count == 0 ? new TextLine(1, 0, 0) : Lines[low];
    }

    public EtcdctlParseException Error(EtcdctlParseErrorKind kind, TextLine line, int columnOffset, string expected) =>
        new(new EtcdctlParseError(kind, line.Number, columnOffset + 1, expected, Excerpt(this[line], columnOffset)));

    public EtcdctlParseException ErrorAt(EtcdctlParseErrorKind kind, int offset, string expected)
    {
        var line = LineAt(offset);
        return Error(kind, line, Math.Clamp(offset - line.Start, 0, line.Length), expected);
    }

    public EtcdctlParseException EndOfOutput(string expected)
    {
        var last = Lines.Count == 0 ? new TextLine(1, 0, 0) : Lines[^1];
        return new(new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, last.Number, last.Length + 1, expected, "the end of the output"));
    }

    /// <summary>A short, printable excerpt of <paramref name="line"/> from <paramref name="column"/> (0-based), quoted.</summary>
    public static string Excerpt(ReadOnlySpan<char> line, int column)
    {
        if (column >= line.Length)
        {
            return "the end of the line";
        }

        var rest = line[column..];
        var cut = rest.Length > ExcerptLength;
        if (cut)
        {
            rest = rest[..ExcerptLength];
        }

        Span<char> buffer = stackalloc char[ExcerptLength];
        for (var i = 0; i < rest.Length; i++)
        {
            buffer[i] = char.IsControl(rest[i]) ? '?' : rest[i];
        }

        return "'" + buffer[..rest.Length].ToString() + (cut ? "...'" : "'");
    }
}
