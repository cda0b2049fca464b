using System.Globalization;

namespace EtcdMaintenance.Parsing;

/// <summary>One <c>"Key" : value</c> line of <c>-w fields</c> output.</summary>
internal readonly record struct FieldLine(TextLine Line, string Key, int ValueColumn, string Value);

/// <summary>
/// Reads <c>-w fields</c> output: <c>"Key" : value</c> lines, one item after another (records are found by the key
/// each item starts with, since etcdctl does not separate the header from the first item).
/// </summary>
internal static class FieldsText
{
    public static List<FieldLine> Read(OutputText text, List<TextLine> otherLines)
    {
        var fields = new List<FieldLine>();
        foreach (var line in text.Lines)
        {
            var span = text[line];
            var kind = OutputLines.Classify(span);
            if (kind != LineKind.Content)
            {
                if (kind != LineKind.Blank)
                {
                    otherLines.Add(line);
                }

                continue;
            }

            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.TrimStart();
            var close = trimmed.Length > 1 && trimmed[0] == '"' ? trimmed[1..].IndexOf('"') : -1;
            if (close <= 0)
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, line, lead, "a field line such as '\"Revision\" : 14'");
            }

            var afterKey = trimmed[(close + 2)..];
            var colon = afterKey.Length - afterKey.TrimStart().Length;
            if (colon >= afterKey.Length || afterKey[colon] != ':')
            {
                var isLast = line.Number == text.Lines[^1].Number;
                throw text.Error(isLast ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line, lead + close + 2 + colon, "' : ' after the field name");
            }

            var value = afterKey[(colon + 1)..];
            var valueLead = value.Length - value.TrimStart().Length;
            var valueColumn = lead + close + 2 + colon + 1 + valueLead;
            fields.Add(new FieldLine(line, trimmed.Slice(1, close).ToString(), valueColumn, value.Trim().ToString()));
        }

        return fields;
    }

    /// <summary>Splits the fields into records, each starting at <paramref name="startKey"/>; fields before the first start form the prologue.</summary>
    public static List<List<FieldLine>> Records(List<FieldLine> fields, string startKey, out List<FieldLine> prologue)
    {
        prologue = [];
        var records = new List<List<FieldLine>>();
        List<FieldLine>? current = null;
        foreach (var field in fields)
        {
            if (field.Key == startKey)
            {
                current = [];
                records.Add(current);
            }

            (current ?? prologue).Add(field);
        }

        return records;
    }

    public static ulong UInt64(OutputText text, FieldLine field) =>
        ulong.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, $"an unsigned 64-bit number for \"{field.Key}\"");

    public static long Int64(OutputText text, FieldLine field) =>
        long.TryParse(field.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, $"a 64-bit number for \"{field.Key}\"");

    /// <summary>A revision or a size: no sign, as etcd never reports one below zero.</summary>
    public static long NonNegativeInt64(OutputText text, FieldLine field) =>
        long.TryParse(field.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, $"a non-negative 64-bit number for \"{field.Key}\"");

    public static bool Boolean(OutputText text, FieldLine field) => field.Value switch
    {
        "true" => true,
        "false" => false,
        _ => throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, $"true or false for \"{field.Key}\""),
    };

    public static string Quoted(OutputText text, FieldLine field) =>
        GoText.TryUnquote(field.Value, out var value, out var consumed) && consumed == field.Value.Length
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, $"a double-quoted string for \"{field.Key}\"");

    /// <summary>
    /// Reads a Go <c>%v</c> string list, <c>[a b]</c>. Go joins the items with one space, so items are told apart only
    /// where a new <c>memberID:</c> alarm begins (what etcd puts in a status's errors); other text stays one item.
    /// </summary>
    public static IReadOnlyList<string> GoStringList(OutputText text, FieldLine field)
    {
        var value = field.Value.AsSpan();
        if (value.Length < 2 || value[0] != '[' || value[^1] != ']')
        {
            throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, $"a list in brackets for \"{field.Key}\", such as [memberID:... alarm:NOSPACE ]");
        }

        var inner = value[1..^1];
        if (inner.IsEmpty)
        {
            return [];
        }

        var items = new List<string>();
        var start = 0;
        var search = 1;
        while (true)
        {
            var next = search < inner.Length ? inner[search..].IndexOf(" memberID:", StringComparison.Ordinal) : -1;
            if (next < 0)
            {
                items.Add(inner[start..].ToString());
                return items;
            }

            var boundary = search + next;
            items.Add(inner[start..boundary].ToString());
            start = boundary + 1;
            search = start + 1;
        }
    }
}
