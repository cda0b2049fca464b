namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>Maps character offsets of a text to lines and back. Lines end at <c>\n</c>; a <c>\r</c> before it belongs to the line break.</summary>
internal sealed class LineIndex
{
    private readonly string _text;
    private readonly int[] _starts;

    public LineIndex(string text)
    {
        _text = text;
        var starts = new List<int> { 0 };
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '\n')
            {
                starts.Add(i + 1);
            }
        }

        _starts = [.. starts];
    }

    /// <summary>How many lines there are (a final line break does not start a new line unless text follows it).</summary>
    public int Count => _starts.Length;

    /// <summary>The 0-based line holding the offset.</summary>
    public int LineOf(int offset)
    {
        var index = Array.BinarySearch(_starts, offset);
        return index >= 0 ? index : ~index - 1;
    }

    /// <summary>The offset of the first character of a 0-based line.</summary>
    public int LineStart(int line) => _starts[line];

    /// <summary>The offset where the content of a 0-based line ends: at its <c>\r\n</c> or <c>\n</c>, or at the end of the text.</summary>
    public int ContentEnd(int line)
    {
        var end = line + 1 < _starts.Length ? _starts[line + 1] - 1 : _text.Length;
        if (end < _text.Length && _text[end] == '\n' && end > _starts[line] && _text[end - 1] == '\r')
        {
            end--;
        }

        return end;
    }

    /// <summary>The offset just after a 0-based line's line break (or the end of the text on the last line).</summary>
    public int NextLineStart(int line) => line + 1 < _starts.Length ? _starts[line + 1] : _text.Length;

    /// <summary>Whether only spaces precede the offset on its line.</summary>
    public bool IsFirstOnLine(int offset)
    {
        for (var i = LineStart(LineOf(offset)); i < offset; i++)
        {
            if (_text[i] != ' ')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The text of a 0-based line without its line break.</summary>
    public string LineText(int line) => _text[LineStart(line)..ContentEnd(line)];
}
