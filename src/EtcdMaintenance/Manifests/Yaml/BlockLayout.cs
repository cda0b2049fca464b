namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>Line-level facts about block collections in a text: where an item's lines start and end, how it is indented.</summary>
internal sealed class BlockLayout
{
    public BlockLayout(string text)
    {
        Text = text;
        Lines = new LineIndex(text);
        var firstBreak = text.IndexOf('\n', StringComparison.Ordinal);
        Newline = firstBreak > 0 && text[firstBreak - 1] == '\r' ? "\r\n" : "\n";
    }

    public string Text { get; }

    public LineIndex Lines { get; }

    /// <summary>The file's line break: <c>\r\n</c> when its first line ends so, otherwise <c>\n</c>.</summary>
    public string Newline { get; }

    /// <summary>The 0-based line of a node's last character.</summary>
    public int LastLine(YNode node) => Lines.LineOf(Math.Max(node.Start, node.End - 1));

    /// <summary>The offset where the content of the node's last line ends (before its line break): where a following line is inserted.</summary>
    public int EndOfLastLine(YNode node) => Lines.ContentEnd(LastLine(node));

    /// <summary>The offset of the <c>-</c> that introduces a block sequence item, or <see langword="null"/> when the item does not start on that line.</summary>
    public int? DashOf(YNode item)
    {
        var i = item.Start - 1;
        while (i >= 0 && Text[i] == ' ')
        {
            i--;
        }

        return i >= 0 && Text[i] == '-' && Lines.IsFirstOnLine(i) ? i : null;
    }

    /// <summary>The whole lines a block sequence item occupies, from the start of its <c>-</c> line to past its last line break.</summary>
    public (int Start, int End)? ItemLines(YNode item)
    {
        if (DashOf(item) is not { } dash)
        {
            return null;
        }

        var start = Lines.LineStart(Lines.LineOf(dash));
        var end = Lines.NextLineStart(LastLine(item));
        return (start, end);
    }

    /// <summary>The whole lines of a mapping entry, from the start of its key's line to past the value's last line break.</summary>
    public (int Start, int End)? EntryLines(YEntry entry)
    {
        if (!Lines.IsFirstOnLine(entry.Key.Start))
        {
            return null;
        }

        var start = Lines.LineStart(Lines.LineOf(entry.Key.Start));
        var last = entry.Value.End > entry.Key.End ? entry.Value : entry.Key;
        return (start, Lines.NextLineStart(LastLine(last)));
    }

    /// <summary>
    /// A deletion of whole lines. When they run to the end of a text that has no final line break, the line break before
    /// them goes instead, so that the file keeps ending the way it did.
    /// </summary>
    public TextEdit DeleteLines(int start, int end)
    {
        if (end == Text.Length && !Text.EndsWith('\n') && start > 0)
        {
            var before = start - 1;
            if (before > 0 && Text[before - 1] == '\r')
            {
                before--;
            }

            return TextEdit.Delete(before, end);
        }

        return TextEdit.Delete(start, end);
    }

    /// <summary>The spaces before an offset on its line.</summary>
    public string IndentOf(int offset) => new(' ', offset - Lines.LineStart(Lines.LineOf(offset)));

    /// <summary>The column (0-based) of an offset.</summary>
    public int ColumnOf(int offset) => offset - Lines.LineStart(Lines.LineOf(offset));

    /// <summary>The text between a sequence item's dash and its content (usually one space).</summary>
    public string GapAfterDash(YNode item, int dash) => Text[(dash + 1)..item.Start];
}
