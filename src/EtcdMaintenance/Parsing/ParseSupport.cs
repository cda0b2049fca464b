using System.Globalization;

namespace EtcdMaintenance.Parsing;

/// <summary>Small pieces shared by the command parsers.</summary>
internal static class ParseSupport
{
    /// <summary>More parts than any etcdctl line has (a status line has 10 to 16 plus one per extra error).</summary>
    public const int MaxSimpleParts = 4096;

    /// <summary>Items in output order: each with the line it came from (stable for items on one line).</summary>
    public sealed class Ordered
    {
        private readonly List<(int Line, int Sequence, object Item)> _items = [];

        public void Add(int line, object item) => _items.Add((line, _items.Count, item));

        /// <summary>Replaces items in place (for values known only once every item is read).</summary>
        public void Map(Func<object, object> map)
        {
            for (var i = 0; i < _items.Count; i++)
            {
                _items[i] = _items[i] with { Item = map(_items[i].Item) };
            }
        }

        public IReadOnlyList<object> ToList() => [.. _items.OrderBy(i => i.Line).ThenBy(i => i.Sequence).Select(i => i.Item)];
    }

    /// <summary>Reads the <c>Failed to get the ... of endpoint X (error)</c> lines among <paramref name="lines"/>.</summary>
    public static void AddFailures(OutputText text, IEnumerable<TextLine> lines, LineKind wanted, Ordered into, string command)
    {
        foreach (var line in lines)
        {
            var span = text[line];
            var kind = OutputLines.Classify(span);
            if (kind == LineKind.Noise || kind == LineKind.Blank)
            {
                continue;
            }

            var prefix = wanted == LineKind.StatusFailure ? OutputLines.StatusFailurePrefix : OutputLines.HashFailurePrefix;
            if (kind != wanted)
            {
                throw text.Error(EtcdctlParseErrorKind.WrongCommand, line, span.Length - span.TrimStart().Length,
                    $"{command} output (this line comes from another etcdctl command)");
            }

            if (!OutputLines.TryParseFailure(span, prefix, out var endpoint, out var message))
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, line, 0, $"'{prefix}ENDPOINT (ERROR)'");
            }

            into.Add(line.Number, new EtcdctlEndpointFailure(endpoint, message));
        }
    }

    /// <summary>The lines before <paramref name="first"/>.</summary>
    public static IEnumerable<TextLine> Before(OutputText text, TextLine first) => text.Lines.Where(l => l.Number < first.Number);

    /// <summary>The error for output that holds nothing but etcdctl's own error or log lines.</summary>
    public static EtcdctlParseException NoOutput(OutputText text, string expected)
    {
        foreach (var line in text.Lines)
        {
            var span = text[line].Trim();
            if (span.StartsWith("Error:", StringComparison.Ordinal))
            {
                return new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, line.Number, 1, expected, "'" + span.ToString() + "' (etcdctl failed)"));
            }
        }

        return new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, 0, 0, expected, text.Text.Length == 0 ? "an empty string" : "only blank or log lines"));
    }

    public static ulong UInt64(OutputText text, TextLine line, int column, string cell, string what) =>
        ulong.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, what);

    public static uint UInt32(OutputText text, TextLine line, int column, string cell, string what) =>
        uint.TryParse(cell, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, what);

    public static long Int64(OutputText text, TextLine line, int column, string cell, string what) =>
        long.TryParse(cell, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, what);

    public static bool Boolean(OutputText text, TextLine line, int column, string cell, string what) => cell switch
    {
        "true" => true,
        "false" => false,
        _ => throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, what),
    };

    public static MemberId HexId(OutputText text, TextLine line, int column, string cell, string what) =>
        MemberId.TryParseHex(cell, out var id) && !cell.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
            ? id
            : throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, what);

    public static long Size(OutputText text, TextLine line, int column, string cell, string what, ref bool approximate)
    {
        if (!ByteSize.TryParse(cell, out var bytes, out var rounded))
        {
            throw text.Error(EtcdctlParseErrorKind.Malformed, line, column, what);
        }

        approximate |= rounded;
        return bytes;
    }

    /// <summary>
    /// Splits a <c>-w simple</c> line at <c>", "</c>; keeps where each part starts. After <see cref="MaxSimpleParts"/>
    /// parts the rest stays in the last one (joining the parts with <c>", "</c> still gives the line back).
    /// </summary>
    public static (string[] Parts, int[] Columns) SplitSimple(ReadOnlySpan<char> line)
    {
        var parts = new List<string>();
        var columns = new List<int>();
        var start = 0;
        while (true)
        {
            var next = parts.Count < MaxSimpleParts - 1 ? line[start..].IndexOf(", ", StringComparison.Ordinal) : -1;
            if (next < 0)
            {
                var last = line[start..];
                // An editor may have stripped the space of a trailing ", " (an empty last field).
                if (last.EndsWith(",", StringComparison.Ordinal))
                {
                    parts.Add(last[..^1].ToString());
                    columns.Add(start);
                    parts.Add(string.Empty);
                    columns.Add(line.Length);
                }
                else
                {
                    parts.Add(last.ToString());
                    columns.Add(start);
                }

                return ([.. parts], [.. columns]);
            }

            parts.Add(line.Slice(start, next).ToString());
            columns.Add(start);
            start += next + 2;
        }
    }

    /// <summary>Refuses lines that another etcdctl command printed (a failed status or hash of an endpoint) inside <paramref name="command"/>'s output.</summary>
    public static void RejectForeignLines(OutputText text, IEnumerable<TextLine> lines, string command)
    {
        foreach (var line in lines)
        {
            if (OutputLines.Classify(text[line]) is LineKind.StatusFailure or LineKind.HashFailure)
            {
                throw text.Error(EtcdctlParseErrorKind.WrongCommand, line, 0, $"{command} output (this line comes from another etcdctl command)");
            }
        }
    }

    /// <summary>
    /// The error for a table that lacks a column: another command's table (<see cref="EtcdctlParseErrorKind.WrongCommand"/>)
    /// or a malformed one.
    /// </summary>
    public static EtcdctlParseException MissingColumn(int headerLine, string[] headers, string command, string expected)
    {
        var other = CommandOfTable(headers);
        return new EtcdctlParseException(other is not null && other != command
            ? new EtcdctlParseError(EtcdctlParseErrorKind.WrongCommand, headerLine, 1, $"{command} output (this is an {other} table)", null)
            : new EtcdctlParseError(EtcdctlParseErrorKind.Malformed, headerLine, 1, expected, string.Join(" | ", headers)));
    }

    /// <summary>Names the etcdctl command a table's headers come from, when it is not the one expected.</summary>
    public static string? CommandOfTable(string[] headers) =>
        headers.Contains("PEER ADDRS") ? "member list" :
        headers.Contains("HEALTH") ? "endpoint health" :
        headers.Contains("HASH") ? "endpoint hashkv" :
        headers.Contains("DB SIZE") && headers.Contains("ENDPOINT") ? "endpoint status" :
        headers.Contains("TOTAL KEYS") ? "snapshot status" : null;

    /// <summary>Names the etcdctl command a <c>-w fields</c> key set comes from.</summary>
    public static string? CommandOfFields(IEnumerable<string> keys)
    {
        var set = keys.ToHashSet(StringComparer.Ordinal);
        return set.Contains("DBSize") ? "endpoint status" :
            set.Contains("PeerURL") || set.Contains("Name") ? "member list" :
            set.Contains("Hash") ? "endpoint hashkv" :
            set.Contains("Health") ? "endpoint health" :
            set.Contains("AlarmType") ? "alarm list" :
            set.Contains("Key") || set.Contains("Kvs") || set.Contains("Count") ? "get" : null;
    }

    /// <summary>Names the etcdctl command a <c>-w simple</c> line comes from, by its shape.</summary>
    public static string? CommandOfSimple(ReadOnlySpan<char> line)
    {
        var trimmed = line.Trim();
        if (trimmed.StartsWith("memberID:", StringComparison.Ordinal))
        {
            return "alarm list";
        }

        if (trimmed.Contains(" is healthy: ", StringComparison.Ordinal) || trimmed.Contains(" is unhealthy: ", StringComparison.Ordinal))
        {
            return "endpoint health";
        }

        var (parts, _) = SplitSimple(trimmed);
        return parts.Length switch
        {
            6 when parts[1] is "started" or "unstarted" => "member list",
            2 when uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) => "endpoint hashkv",
            >= 10 when parts[4] is "true" or "false" => "endpoint status",
            >= 16 when parts[8] is "true" or "false" => "endpoint status",
            _ => null,
        };
    }
}
