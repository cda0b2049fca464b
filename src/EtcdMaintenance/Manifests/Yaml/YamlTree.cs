using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>A node of a parsed document, with the character span it occupies in the text.</summary>
internal abstract class YNode
{
    /// <summary>Offset of the node's first character (its anchor or tag, when it has one).</summary>
    public int Start { get; init; }

    /// <summary>Offset just after the node's last character. For a block scalar this is past its final line break.</summary>
    public int End { get; set; }

    /// <summary>1-based line in the source (embedded documents are shifted to their place in the file).</summary>
    public int Line { get; init; }

    /// <summary>1-based column.</summary>
    public int Column { get; init; }

    /// <summary>Whether the node carries an anchor or an explicit tag before its content.</summary>
    public bool HasProperties { get; init; }
}

internal sealed class YScalar : YNode
{
    public required string Value { get; init; }

    public required ScalarStyle Style { get; init; }

    /// <summary>An empty plain scalar: the value of <c>key:</c> with nothing after it.</summary>
    public bool IsEmpty => Style == ScalarStyle.Plain && Value.Length == 0;

    /// <summary>A plain scalar YAML reads as null.</summary>
    public bool IsNull => Style == ScalarStyle.Plain && Value is "" or "~" or "null" or "Null" or "NULL";

    public bool IsBlock => Style is ScalarStyle.Literal or ScalarStyle.Folded;
}

internal sealed class YSequence : YNode
{
    public List<YNode> Items { get; } = [];

    public bool IsFlow { get; init; }
}

internal sealed class YMapping : YNode
{
    public List<YEntry> Entries { get; } = [];

    public bool IsFlow { get; init; }

    /// <summary>The entry whose key is the given plain or quoted scalar.</summary>
    public YEntry? Find(string key) => Entries.LastOrDefault(e => e.Key is YScalar s && s.Value == key);

    public YNode? Get(string key) => Find(key)?.Value;

    public string? GetScalar(string key) => Get(key) is YScalar s && !s.IsNull ? s.Value : null;
}

internal sealed record YEntry(YNode Key, YNode Value);

internal sealed class YAlias : YNode
{
    public required string Anchor { get; init; }
}

/// <summary>Where a text came from, for error messages: a file name and the line the text starts at in it.</summary>
internal sealed record YamlSource(string Name, int LineOffset = 0);

/// <summary>
/// Parses YAML with YamlDotNet's event parser into a small tree of nodes that remember their character spans, so that
/// edits can be spliced into the original text instead of re-serializing it (which loses comments and layout).
/// </summary>
internal static class YamlTree
{
    /// <summary>Parses every document of a text. Throws <see cref="ManifestException"/> for invalid YAML, tab indentation and duplicate keys.</summary>
    public static IReadOnlyList<YNode> Parse(string text, YamlSource source)
    {
        List<YNode> documents;
        try
        {
            documents = Build(text, source);
        }
        catch (YamlException ex)
        {
            if (FindTabIndentation(text, []) is { } tabLine)
            {
                throw TabError(source, tabLine, ex);
            }

            throw ManifestException.Create(ManifestErrorCode.InvalidYaml, source.Name, (int)ex.Start.Line + source.LineOffset, (int)ex.Start.Column, null,
                $"not valid YAML: {ex.Message}", ex);
        }

        var blockScalars = new List<YScalar>();
        foreach (var document in documents)
        {
            Walk(document, node =>
            {
                if (node is YScalar { IsBlock: true } scalar)
                {
                    blockScalars.Add(scalar);
                }
                else if (node is YMapping mapping)
                {
                    CheckDuplicateKeys(mapping, source);
                }
            });
        }

        if (FindTabIndentation(text, blockScalars) is { } line)
        {
            throw TabError(source, line, null);
        }

        return documents;
    }

    /// <summary>Calls <paramref name="visit"/> on a node and every node under it.</summary>
    public static void Walk(YNode node, Action<YNode> visit)
    {
        visit(node);
        switch (node)
        {
            case YSequence sequence:
                foreach (var item in sequence.Items)
                {
                    Walk(item, visit);
                }

                break;
            case YMapping mapping:
                foreach (var entry in mapping.Entries)
                {
                    Walk(entry.Key, visit);
                    Walk(entry.Value, visit);
                }

                break;
        }
    }

    private static ManifestException TabError(YamlSource source, int zeroBasedLine, Exception? inner) =>
        ManifestException.Create(ManifestErrorCode.TabIndentation, source.Name, zeroBasedLine + 1 + source.LineOffset, 1, null,
            "a tab is used for indentation; YAML allows only spaces", inner);

    private static void CheckDuplicateKeys(YMapping mapping, YamlSource source)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in mapping.Entries)
        {
            if (entry.Key is YScalar key && !seen.Add(key.Value))
            {
                throw ManifestException.Create(ManifestErrorCode.DuplicateKey, source.Name, key.Line, key.Column, null,
                    $"the key '{key.Value}' appears twice in the same mapping; readers disagree on which one counts");
            }
        }
    }

    /// <summary>The 0-based line of the first line whose leading whitespace holds a tab, outside block scalars.</summary>
    private static int? FindTabIndentation(string text, List<YScalar> blockScalars)
    {
        var lines = new LineIndex(text);
        for (var line = 0; line < lines.Count; line++)
        {
            var start = lines.LineStart(line);
            var end = lines.ContentEnd(line);
            var i = start;
            while (i < end && text[i] is ' ' or '\t')
            {
                i++;
            }

            if (i == end || text.AsSpan(start, i - start).IndexOf('\t') < 0)
            {
                continue;
            }

            if (text[i] == '#' || blockScalars.Any(s => start > s.Start && start < s.End))
            {
                continue;
            }

            return line;
        }

        return null;
    }

    private static List<YNode> Build(string text, YamlSource source)
    {
        var parser = new Parser(new StringReader(text));
        var documents = new List<YNode>();
        var stack = new Stack<(YNode Node, YNode? PendingKey)>();
        YNode? root = null;

        void Add(YNode node)
        {
            if (stack.Count == 0)
            {
                root = node;
                return;
            }

            var (parent, pendingKey) = stack.Pop();
            if (parent is YSequence sequence)
            {
                sequence.Items.Add(node);
                stack.Push((parent, null));
            }
            else if (pendingKey is null)
            {
                stack.Push((parent, node));
            }
            else
            {
                ((YMapping)parent).Entries.Add(new YEntry(pendingKey, node));
                stack.Push((parent, null));
            }
        }

        while (parser.MoveNext())
        {
            var current = parser.Current!;
            var start = (int)current.Start.Index;
            var line = (int)current.Start.Line + source.LineOffset;
            var column = (int)current.Start.Column;
            switch (current)
            {
                case DocumentStart:
                    root = null;
                    break;
                case DocumentEnd:
                    if (root is not null)
                    {
                        documents.Add(root);
                    }

                    break;
                case Scalar scalar:
                    var end = (int)scalar.End.Index;
                    Add(new YScalar
                    {
                        Start = start,
                        End = end,
                        Line = line,
                        Column = column,
                        Value = scalar.Value,
                        Style = scalar.Style,
                        HasProperties = end > start && text[start] is '!' or '&',
                    });
                    break;
                case AnchorAlias alias:
                    Add(new YAlias { Start = start, End = (int)alias.End.Index, Line = line, Column = column, Anchor = alias.Value.Value });
                    break;
                case SequenceStart sequenceStart:
                    stack.Push((new YSequence
                    {
                        Start = start,
                        End = (int)sequenceStart.End.Index,
                        Line = line,
                        Column = column,
                        IsFlow = sequenceStart.Style == SequenceStyle.Flow,
                        HasProperties = !sequenceStart.Anchor.IsEmpty || !sequenceStart.Tag.IsEmpty,
                    }, null));
                    break;
                case MappingStart mappingStart:
                    stack.Push((new YMapping
                    {
                        Start = start,
                        End = (int)mappingStart.End.Index,
                        Line = line,
                        Column = column,
                        IsFlow = mappingStart.Style == MappingStyle.Flow,
                        HasProperties = !mappingStart.Anchor.IsEmpty || !mappingStart.Tag.IsEmpty,
                    }, null));
                    break;
                case SequenceEnd or MappingEnd:
                    var (collection, _) = stack.Pop();
                    if (collection is YSequence { IsFlow: true } or YMapping { IsFlow: true })
                    {
                        // A flow collection ends after its closing bracket, where YamlDotNet's end event starts.
                        collection.End = start < text.Length && text[start] is ']' or '}' ? start + 1 : start;
                    }
                    else
                    {
                        // A block collection ends where its last child ends (the end event sits past comments and blank lines).
                        collection.End = collection switch
                        {
                            YSequence { Items.Count: > 0 } s => s.Items[^1].End,
                            YMapping { Entries.Count: > 0 } m => m.Entries[^1].Value.End,
                            _ => collection.End,
                        };
                    }

                    Add(collection);
                    break;
            }
        }

        return documents;
    }
}
