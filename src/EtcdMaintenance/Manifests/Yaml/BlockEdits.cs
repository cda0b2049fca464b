namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>Text edits that add to or change block collections while keeping the surrounding layout.</summary>
internal static class BlockEdits
{
    /// <summary>Replaces a scalar's text; a block scalar keeps its final line break.</summary>
    public static TextEdit ReplaceScalar(BlockLayout layout, YScalar node, string text) =>
        new(node.Start, node.IsBlock ? layout.EndOfLastLine(node) : node.End, text);

    /// <summary>The node whose end is the end of an entry: its value, or its key when the value is empty.</summary>
    public static YNode EndOf(YEntry entry) => entry.Value.End > entry.Key.End ? entry.Value : entry.Key;

    /// <summary>Adds lines after a block mapping's last entry, indented like its keys (each line is relative to that indentation).</summary>
    public static TextEdit AppendToMapping(BlockLayout layout, YMapping mapping, IEnumerable<string> lines)
    {
        if (mapping.IsFlow || mapping.Entries.Count == 0)
        {
            throw new InvalidOperationException("Only a non-empty block mapping can be appended to.");
        }

        var indent = new string(' ', layout.ColumnOf(mapping.Entries[0].Key.Start));
        return TextEdit.Insert(layout.EndOfLastLine(EndOf(mapping.Entries[^1])), string.Concat(lines.Select(l => layout.Newline + indent + l)));
    }

    /// <summary>
    /// Gives a key whose value is empty (<c>key:</c>, <c>key: {}</c>, <c>key: []</c>) a block value: the lines go after the key's
    /// line (after any comment on it), indented by <paramref name="indent"/> columns more than the key.
    /// </summary>
    public static IEnumerable<TextEdit> FillEmptyValue(BlockLayout layout, YEntry entry, IEnumerable<string> lines, int indent)
    {
        var padding = new string(' ', layout.ColumnOf(entry.Key.Start) + indent);
        var text = string.Concat(lines.Select(l => layout.Newline + padding + l));
        if (entry.Value is YScalar { IsNull: true } scalar)
        {
            return scalar.Value.Length == 0
                ? [TextEdit.Insert(layout.EndOfLastLine(entry.Key), text)]
                : [new TextEdit(SpaceBefore(layout, scalar), scalar.End, text)];
        }

        // An empty flow collection: drop it (and the space before it), keep any comment after it, then add the lines.
        var end = layout.EndOfLastLine(entry.Value);
        var comment = layout.Text[entry.Value.End..end];
        return [new TextEdit(SpaceBefore(layout, entry.Value), end, comment + text)];
    }

    /// <summary>Whether a value is empty in a way <see cref="FillEmptyValue"/> handles.</summary>
    public static bool IsEmptyValue(YNode value) =>
        value is YScalar { IsNull: true, HasProperties: false } or YMapping { IsFlow: true, Entries.Count: 0, HasProperties: false } or YSequence { IsFlow: true, Items.Count: 0, HasProperties: false };

    /// <summary>How far nested block mappings are indented under their key in this document (2 when none is nested).</summary>
    public static int MappingStep(BlockLayout layout, YNode? root)
    {
        var step = 0;
        if (root is not null)
        {
            YamlTree.Walk(root, node =>
            {
                if (step == 0 && node is YMapping { IsFlow: false } mapping)
                {
                    foreach (var entry in mapping.Entries)
                    {
                        if (entry.Value is YMapping { IsFlow: false, Entries.Count: > 0 } child && layout.Lines.IsFirstOnLine(child.Entries[0].Key.Start))
                        {
                            step = layout.ColumnOf(child.Entries[0].Key.Start) - layout.ColumnOf(entry.Key.Start);
                            break;
                        }
                    }
                }
            });
        }

        return step > 0 ? step : 2;
    }

    /// <summary>How far block sequences are indented under their key in this document (go-yaml writes 0, many people 2).</summary>
    public static int SequenceOffset(BlockLayout layout, YNode? root, int fallback)
    {
        int? offset = null;
        if (root is not null)
        {
            YamlTree.Walk(root, node =>
            {
                if (offset is null && node is YMapping { IsFlow: false } mapping)
                {
                    foreach (var entry in mapping.Entries)
                    {
                        if (entry.Value is YSequence { IsFlow: false, Items.Count: > 0 } child && layout.DashOf(child.Items[0]) is { } dash)
                        {
                            offset = layout.ColumnOf(dash) - layout.ColumnOf(entry.Key.Start);
                            break;
                        }
                    }
                }
            });
        }

        return offset is >= 0 ? offset.Value : fallback;
    }

    private static int SpaceBefore(BlockLayout layout, YNode node)
    {
        var start = node.Start;
        while (start > 0 && layout.Text[start - 1] == ' ')
        {
            start--;
        }

        return start;
    }
}
