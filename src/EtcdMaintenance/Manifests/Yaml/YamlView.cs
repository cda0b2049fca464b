using System.Text;

namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>
/// The YAML text an editor works on, and how its offsets map to the file: the file itself, or a document embedded in a
/// literal block scalar of the file (kubeadm's ClusterConfiguration inside the <c>kubeadm-config</c> ConfigMap), whose
/// lines carry the block's indentation in the file.
/// </summary>
internal sealed class YamlView
{
    private readonly int[] _lineOuterStart;
    private readonly int _indent;
    private readonly int _outerEnd;

    private YamlView(string text, int outerEnd, int[] lineOuterStart, int indent, int lineOffset)
    {
        Text = text;
        _outerEnd = outerEnd;
        _lineOuterStart = lineOuterStart;
        _indent = indent;
        LineOffset = lineOffset;
        Layout = new BlockLayout(text);
    }

    /// <summary>The text the editor sees.</summary>
    public string Text { get; }

    public BlockLayout Layout { get; }

    /// <summary>How many lines of the file precede <see cref="Text"/>'s first line.</summary>
    public int LineOffset { get; }

    public bool IsEmbedded => _indent > 0 || LineOffset > 0;

    public static YamlView Whole(string text) => new(text, text.Length, [], 0, 0);

    /// <summary>The content of a literal block scalar (<c>key: |</c>), with the block's indentation removed.</summary>
    public static YamlView? Embedded(string outer, YScalar block)
    {
        var lines = new LineIndex(outer);
        var header = lines.LineOf(block.Start);
        var headerText = outer[block.Start..lines.ContentEnd(header)];
        if (headerText.Any(char.IsDigit))
        {
            return null;
        }

        var last = lines.LineOf(Math.Max(block.Start, block.End - 1));
        var indent = int.MaxValue;
        for (var line = header + 1; line <= last; line++)
        {
            var text = lines.LineText(line);
            if (text.Trim().Length > 0)
            {
                indent = Math.Min(indent, text.Length - text.TrimStart(' ').Length);
            }
        }

        if (indent is int.MaxValue or 0)
        {
            return null;
        }

        var builder = new StringBuilder();
        var starts = new List<int>();
        for (var line = header + 1; line <= last; line++)
        {
            var start = lines.LineStart(line);
            var contentEnd = lines.ContentEnd(line);
            var strip = 0;
            while (strip < indent && start + strip < contentEnd && outer[start + strip] == ' ')
            {
                strip++;
            }

            starts.Add(start + strip);
            builder.Append(outer, start + strip, lines.NextLineStart(line) - start - strip);
        }

        return new YamlView(builder.ToString(), lines.NextLineStart(last), [.. starts], indent, header + 1);
    }

    /// <summary>Edits of <see cref="Text"/> as edits of the file: offsets moved, and every new line indented like the block.</summary>
    public IEnumerable<TextEdit> ToOuter(IEnumerable<TextEdit> edits)
    {
        if (!IsEmbedded)
        {
            return edits;
        }

        var padding = "\n" + new string(' ', _indent);
        return edits.Select(e => new TextEdit(Map(e.Start), Map(e.End), e.Replacement.Replace("\n", padding, StringComparison.Ordinal)));
    }

    private int Map(int offset)
    {
        if (offset >= Text.Length)
        {
            return _outerEnd;
        }

        var line = Layout.Lines.LineOf(offset);
        return _lineOuterStart[line] + (offset - Layout.Lines.LineStart(line));
    }
}
