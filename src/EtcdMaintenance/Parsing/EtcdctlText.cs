using System.Globalization;
using System.Numerics;
using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>One line of the output: its 1-based number and where it lies in the text (without the line break).</summary>
internal readonly record struct TextLine(int Number, int Start, int Length);

/// <summary>A value as etcdctl printed it: a table cell, a column of a simple line or a field's value; its name and where it starts.</summary>
internal readonly record struct Cell(string Name, string Value, TextLine Line, int Column);

/// <summary>What a line of captured etcdctl output is, before any format-specific parsing.</summary>
internal enum LineKind
{
    /// <summary>Empty or white space.</summary>
    Blank,

    /// <summary>A line etcdctl writes to standard error that carries no data: a client log line or <c>Error: ...</c>.</summary>
    Noise,

    /// <summary><c>Failed to get the status of endpoint X (error)</c> (standard error).</summary>
    StatusFailure,

    /// <summary><c>Failed to get the hash of endpoint X (error)</c> (standard error).</summary>
    HashFailure,

    /// <summary>Anything else: the command's own output.</summary>
    Content,
}

/// <summary>
/// The one reader of etcdctl's text output, shared by every command parser: the lines with their numbers (LF or CRLF);
/// what each line is, so that output captured with <c>2&gt;&amp;1</c> reads the same (log and <c>Error:</c> lines are
/// skipped, <c>Failed to get the ... of endpoint X</c> lines become failures of the command they belong to); the items
/// found, in output order; typed values with positioned errors; <c>-w fields</c> records and <c>-w simple</c> columns.
/// Tables: <see cref="EtcdctlTable"/>; JSON: <see cref="EtcdctlJson"/>.
/// </summary>
internal sealed class EtcdctlText
{
    public const string StatusFailurePrefix = "Failed to get the status of endpoint ";
    public const string HashFailurePrefix = "Failed to get the hash of endpoint ";

    /// <summary>More parts than any etcdctl line has (a status line has 10 to 16 plus one per extra error).</summary>
    private const int MaxSimpleParts = 4096;
    private const int ExcerptLength = 40;
    private readonly LineKind _failures;
    private readonly List<(int Line, int Sequence, object Item)> _items = [];

    /// <summary>Splits <paramref name="text"/> into lines.</summary>
    /// <param name="text">The output.</param>
    /// <param name="command">The etcdctl command whose output it should be (for errors).</param>
    /// <param name="failures">The failure lines that belong to the command (<see cref="LineKind.Content"/>: none).</param>
    public EtcdctlText(string text, string command, LineKind failures)
    {
        Text = text;
        Command = command;
        _failures = failures;
        var lines = new List<TextLine>();
        for (var start = 0; start < text.Length;)
        {
            var newline = text.AsSpan(start).IndexOf('\n');
            var end = newline < 0 ? text.Length : start + newline;
            lines.Add(new TextLine(lines.Count + 1, start, end > start && text[end - 1] == '\r' ? end - start - 1 : end - start));
            start = end + 1;
        }

        Lines = lines;
    }

    public string Text { get; }

    public string Command { get; }

    public IReadOnlyList<TextLine> Lines { get; }

    public ReadOnlySpan<char> this[TextLine line] => Text.AsSpan(line.Start, line.Length);

    /// <summary>The items found (and failures), in output order.</summary>
    public IReadOnlyList<object> Items
    {
        get
        {
            _items.Sort(static (a, b) => a.Line != b.Line ? a.Line.CompareTo(b.Line) : a.Sequence.CompareTo(b.Sequence));
            var items = new object[_items.Count];
            for (var i = 0; i < items.Length; i++)
            {
                items[i] = _items[i].Item;
            }

            return items;
        }
    }

    public void Add(TextLine line, object item) => _items.Add((line.Number, _items.Count, item));

    /// <summary>Replaces items in place (for values known only once every item is read).</summary>
    public void Map(Func<object, object> map)
    {
        for (var i = 0; i < _items.Count; i++)
        {
            _items[i] = _items[i] with { Item = map(_items[i].Item) };
        }
    }

    /// <summary>
    /// Skips the lines before <paramref name="first"/> and those from the character <paramref name="from"/> on (around a
    /// JSON value, or every line): only standard-error lines may be there.
    /// </summary>
    public void Skip(TextLine first, int from)
    {
        foreach (var line in Lines)
        {
            _ = (line.Number < first.Number || line.Start >= from) && IsContent(line);
        }
    }

    /// <summary>The first line that is the command's own output, or <see langword="null"/>.</summary>
    public TextLine? FirstContent()
    {
        foreach (var line in Lines)
        {
            if (Classify(this[line]) == LineKind.Content)
            {
                return line;
            }
        }

        return null;
    }

    /// <summary>The command's own lines; the others are skipped (see <see cref="IsContent"/>).</summary>
    public IEnumerable<TextLine> ContentLines() => Lines.Where(IsContent);

    /// <summary>Whether no line of the command's own output follows <paramref name="line"/>.</summary>
    public bool IsLastContent(TextLine line) => Lines.Skip(line.Number).All(l => Classify(this[l]) != LineKind.Content);

    /// <summary>
    /// Whether the line is the command's own output. Other lines are skipped; a failure line of this command becomes an
    /// <see cref="EtcdctlEndpointFailure"/> item, one of another command is refused.
    /// </summary>
    public bool IsContent(TextLine line)
    {
        var span = this[line];
        var kind = Classify(span);
        if (kind is LineKind.StatusFailure or LineKind.HashFailure)
        {
            var prefix = kind == LineKind.StatusFailure ? StatusFailurePrefix : HashFailurePrefix;
            if (kind != _failures)
            {
                throw Error(EtcdctlParseErrorKind.WrongCommand, line, span.Length - span.TrimStart().Length, $"{Command} output (this line comes from another etcdctl command)");
            }

            // Failed to get the status of endpoint X (error)
            var rest = span.Trim()[prefix.Length..];
            var space = rest.IndexOf(' ');
            var tail = space > 0 ? rest[(space + 1)..] : default;
            if (tail.Length < 2 || tail[0] != '(' || tail[^1] != ')')
            {
                throw Error(EtcdctlParseErrorKind.Malformed, line, 0, $"'{prefix}ENDPOINT (ERROR)'");
            }

            Add(line, new EtcdctlEndpointFailure { Endpoint = rest[..space].ToString(), Message = tail[1..^1].ToString() });
        }

        return kind == LineKind.Content;
    }

    public EtcdctlParseException Error(EtcdctlParseErrorKind kind, TextLine line, int column, string expected) =>
        new(new EtcdctlParseError(kind, line.Number, column + 1, expected, Excerpt(this[line], column)));

    public EtcdctlParseException Error(Cell cell, string expected) => Error(EtcdctlParseErrorKind.Malformed, cell.Line, cell.Column, expected);

    /// <summary>The error for a line that belongs to <paramref name="other"/> (when known and not this command) or is malformed.</summary>
    public EtcdctlParseException WrongCommandOr(string? other, TextLine line, int column, string expected) => other is not null && other != Command
        ? Error(EtcdctlParseErrorKind.WrongCommand, line, column, $"{Command} output (this is {other} output)")
        : Error(EtcdctlParseErrorKind.Malformed, line, column, expected);

    /// <summary>The error for output that stops after <paramref name="last"/> where <paramref name="expected"/> should follow.</summary>
    public static EtcdctlParseException Truncated(TextLine last, string expected) =>
        new(new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, last.Number, last.Length + 1, expected, "the end of the output"));

    /// <summary>The error for output that holds nothing but etcdctl's own error or log lines.</summary>
    public EtcdctlParseException NoOutput()
    {
        var expected = $"etcdctl {Command} output";
        foreach (var line in Lines)
        {
            var span = this[line].Trim();
            if (span.StartsWith("Error:", StringComparison.Ordinal))
            {
                return new(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, line.Number, 1, expected, "'" + span.ToString() + "' (etcdctl failed)"));
            }
        }

        return new(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, 0, 0, expected, Text.Length == 0 ? "an empty string" : "only blank or log lines"));
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
        var excerpt = string.Create(Math.Min(rest.Length, ExcerptLength), rest, static (buffer, rest) =>
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = char.IsControl(rest[i]) ? '?' : rest[i];
            }
        });
        return "'" + excerpt + (cut ? "...'" : "'");
    }

    public ulong UInt64(Cell c) => ulong.TryParse(c.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value : throw Error(c, $"an unsigned 64-bit number ({c.Name})");

    public uint UInt32(Cell c) => uint.TryParse(c.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value : throw Error(c, $"an unsigned 32-bit number ({c.Name})");

    public long Int64(Cell c) => long.TryParse(c.Value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value)
        ? value : throw Error(c, $"a 64-bit number ({c.Name})");

    /// <summary>A revision or a size: no sign, as etcd never reports one below zero.</summary>
    public long NonNegativeInt64(Cell c) => long.TryParse(c.Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
        ? value : throw Error(c, $"a non-negative 64-bit number ({c.Name})");

    public bool Boolean(Cell c) => c.Value switch
    {
        "true" => true,
        "false" => false,
        _ => throw Error(c, $"true or false ({c.Name})"),
    };

    public MemberId HexId(Cell c) => MemberId.TryParseHex(c.Value, out var id) && !c.Value.StartsWith("0x", StringComparison.OrdinalIgnoreCase)
        ? id : throw Error(c, $"a hex member ID such as 8e9e05c52164694d ({c.Name})");

    /// <summary>A size as etcdctl's tables print it (<c>20 kB</c>); <paramref name="approximate"/> is set when it was rounded.</summary>
    public long Size(Cell c, ref bool approximate)
    {
        if (!ByteSize.TryParse(c.Value, out var bytes, out var rounded))
        {
            throw Error(c, $"a size such as '20 kB' or '8.4 MB' ({c.Name})");
        }

        approximate |= rounded;
        return bytes;
    }

    /// <summary>A Go duration (<c>2.720259ms</c>); <see langword="null"/> when the cell is empty.</summary>
    public TimeSpan? Duration(Cell? c) => c is not { Value.Length: > 0 } cell ? null
        : GoDuration.TryParse(cell.Value, out var duration) ? duration : throw Error(cell, $"a Go duration such as 2.720259ms ({cell.Name})");

    /// <summary>A Go <c>%q</c> string, as <c>-w fields</c> prints strings.</summary>
    public string Quoted(Cell c) => GoText.TryUnquote(c.Value, out var value, out var consumed) && consumed == c.Value.Length
        ? value : throw Error(c, $"a double-quoted string ({c.Name})");

    /// <summary>
    /// Reads <c>-w fields</c> output: <c>"Key" : value</c> lines, one item after another (the caller finds items by the
    /// key each starts with, since etcdctl does not separate the header from the first item).
    /// </summary>
    public List<Cell> ReadFields()
    {
        var fields = new List<Cell>();
        foreach (var line in ContentLines())
        {
            var span = this[line];
            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.TrimStart();
            var (close, colon) = FieldLine(trimmed);
            if (close < 0)
            {
                throw Error(EtcdctlParseErrorKind.Malformed, line, lead, "a field line such as '\"Revision\" : 14'");
            }

            if (colon >= trimmed.Length || trimmed[colon] != ':')
            {
                throw Error(line.Number == Lines[^1].Number ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line, lead + colon, "' : ' after the field name");
            }

            var value = trimmed[(colon + 1)..];
            fields.Add(new Cell(trimmed[1..close].ToString(), value.Trim().ToString(), line, lead + colon + 1 + value.Length - value.TrimStart().Length));
        }

        var other = CommandOfFields(fields.Select(f => f.Name));
        return other is not null && other != Command ? throw WrongCommandOr(other, fields[0].Line, 0, string.Empty) : fields;
    }

    /// <summary>
    /// Splits <c>-w fields</c> output into records, each starting at <paramref name="startKey"/>; the fields before the
    /// first record (a response header) are the prologue, refused unless <paramref name="prologue"/> is asked for.
    /// </summary>
    public List<List<Cell>> FieldRecords(string startKey, List<Cell>? prologue = null)
    {
        var fields = ReadFields();
        var records = new List<List<Cell>>();
        foreach (var field in fields)
        {
            if (field.Name == startKey)
            {
                records.Add([]);
            }
            else if (records.Count == 0 && prologue is null)
            {
                throw Error(EtcdctlParseErrorKind.Malformed, field.Line, 0, $"a record starting with \"{startKey}\"");
            }

            (records.Count > 0 ? records[^1] : prologue!).Add(field);
        }

        return records;
    }

    /// <summary>The error for a record without <paramref name="expected"/>: cut short when it is the last record, else malformed.</summary>
    public EtcdctlParseException Missing(List<Cell> record, bool isLast, string expected) => isLast
        ? Truncated(record[^1].Line, $"{expected} in this record")
        : Error(EtcdctlParseErrorKind.Malformed, record[0].Line, 0, $"{expected} in the record starting here");

    /// <summary>
    /// Splits a <c>-w simple</c> line at <c>", "</c> (after <see cref="MaxSimpleParts"/> parts the rest stays in the last
    /// one); each part keeps its column and gets the name at its position in <paramref name="names"/>, if any.
    /// </summary>
    public List<Cell> Columns(TextLine line, params string[] names)
    {
        var span = this[line].TrimEnd();
        var start = span.Length - span.TrimStart().Length;
        var parts = new List<Cell>();
        while (true)
        {
            var next = parts.Count < MaxSimpleParts - 1 ? span[start..].IndexOf(", ", StringComparison.Ordinal) : -1;
            var end = next < 0 ? span.Length : start + next;
            // An editor may have stripped the space of a trailing ", " (an empty last field).
            var stripped = next < 0 && span[start..].EndsWith(",", StringComparison.Ordinal);
            parts.Add(new Cell(parts.Count < names.Length ? names[parts.Count] : string.Empty, span[start..(stripped ? end - 1 : end)].ToString(), line, start));
            if (next < 0)
            {
                if (stripped)
                {
                    parts.Add(new Cell(parts.Count < names.Length ? names[parts.Count] : string.Empty, string.Empty, line, span.Length));
                }

                return parts;
            }

            start = end + 2;
        }
    }

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
    public string? CommandOfSimple(TextLine line)
    {
        var trimmed = this[line].Trim();
        if (trimmed.StartsWith("memberID:", StringComparison.Ordinal))
        {
            return "alarm list";
        }

        if (trimmed.Contains(" is healthy: ", StringComparison.Ordinal) || trimmed.Contains(" is unhealthy: ", StringComparison.Ordinal))
        {
            return "endpoint health";
        }

        var parts = Columns(line).Select(c => c.Value).ToList();
        return parts.Count switch
        {
            6 when parts[1] is "started" or "unstarted" => "member list",
            2 when uint.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out _) => "endpoint hashkv",
            >= 10 when parts[4] is "true" or "false" => "endpoint status",
            >= 16 when parts[8] is "true" or "false" => "endpoint status",
            _ => null,
        };
    }

    /// <summary>The format of a content line, judged by its first character.</summary>
    public static EtcdctlOutputFormat DetectFormat(ReadOnlySpan<char> firstContentLine)
    {
        var line = firstContentLine.TrimStart();
        return line.IsEmpty ? EtcdctlOutputFormat.Auto : line[0] switch
        {
            '[' when LooksLikeJsonArray(line) => EtcdctlOutputFormat.Json,
            '{' => EtcdctlOutputFormat.Json,
            '+' or '|' or '\u250C' or '\u2502' or '\u256D' or '\u2554' or '\u2551' or '\u251C' => EtcdctlOutputFormat.Table,
            '"' when FieldLine(line) is (> 0, var colon) && colon < line.Length && line[colon] == ':' => EtcdctlOutputFormat.Fields,
            _ => EtcdctlOutputFormat.Simple,
        };
    }

    /// <summary>What a line is (UTF-16 or UTF-8 text).</summary>
    public static LineKind Classify<T>(ReadOnlySpan<T> line)
        where T : unmanaged, IBinaryInteger<T>
    {
        var trimmed = Trim(line);
        return trimmed.IsEmpty ? LineKind.Blank
            : StartsWith(trimmed, "{\"level\":") || StartsWith(trimmed, "Error: ") || (trimmed.Length == 6 && StartsWith(trimmed, "Error:")) || IsCapnslogLine(trimmed) ? LineKind.Noise
            : StartsWith(trimmed, StatusFailurePrefix) ? LineKind.StatusFailure
            : StartsWith(trimmed, HashFailurePrefix) ? LineKind.HashFailure
            : LineKind.Content;
    }

    /// <summary>Whether a line is etcdctl's own <c>Error: ...</c> line.</summary>
    public static bool IsErrorLine<T>(ReadOnlySpan<T> line)
        where T : unmanaged, IBinaryInteger<T> => StartsWith(Trim(line), "Error:");

    /// <summary>
    /// Whether a line is etcdctl's own log line in capnslog's format (etcd 3.4's client logger), e.g.
    /// <c>2026-11-30 10:00:00.079396 W | pkg/flags: ...</c>: a date, a time, a level letter and a bar.
    /// </summary>
    private static bool IsCapnslogLine<T>(ReadOnlySpan<T> line)
        where T : unmanaged, IBinaryInteger<T>
    {
        ReadOnlySpan<byte> shape = "0000-00-00 00:00:00"u8;
        if (line.Length < shape.Length + 4)
        {
            return false;
        }

        for (var i = 0; i < shape.Length; i++)
        {
            var c = int.CreateTruncating(line[i]);
            if (shape[i] == (byte)'0' ? c is < '0' or > '9' : c != shape[i])
            {
                return false;
            }
        }

        var at = shape.Length;
        if (int.CreateTruncating(line[at]) == '.')
        {
            at++;
            while (at < line.Length && int.CreateTruncating(line[at]) is >= '0' and <= '9')
            {
                at++;
            }
        }

        return at + 4 <= line.Length && int.CreateTruncating(line[at]) == ' ' && int.CreateTruncating(line[at + 1]) is 'C' or 'E' or 'W' or 'N' or 'I' or 'D' or 'T'
            && int.CreateTruncating(line[at + 2]) == ' ' && int.CreateTruncating(line[at + 3]) == '|';
    }

    /// <summary>The line without white space around it (any Unicode space in text; space, tab and CR in UTF-8).</summary>
    public static ReadOnlySpan<T> Trim<T>(ReadOnlySpan<T> line)
        where T : unmanaged, IBinaryInteger<T>
    {
        var start = 0;
        while (start < line.Length && IsSpace(line[start]))
        {
            start++;
        }

        var end = line.Length;
        while (end > start && IsSpace(line[end - 1]))
        {
            end--;
        }

        return line[start..end];
    }

    /// <summary>
    /// Whether a line starting with <c>[</c> opens a JSON array (<c>[{</c>, <c>[]</c>, <c>[</c> alone when pretty-printed),
    /// rather than an IPv6 endpoint such as <c>[fd00::1]:2379</c> starting a simple line.
    /// </summary>
    public static bool LooksLikeJsonArray<T>(ReadOnlySpan<T> line)
        where T : unmanaged, IBinaryInteger<T>
    {
        var rest = Trim(Trim(line)[1..]);
        return rest.IsEmpty || int.CreateTruncating(rest[0]) is '{' or ']' or '"' or '[';
    }

    /// <summary>
    /// Where the closing quote of a <c>-w fields</c> line's key is (-1 when the line does not start with a quoted key) and
    /// where its colon should be: the first non-space after the key.
    /// </summary>
    private static (int Close, int Colon) FieldLine(ReadOnlySpan<char> trimmed)
    {
        var close = trimmed.Length > 1 && trimmed[0] == '"' ? trimmed[1..].IndexOf('"') + 1 : 0;
        return close > 1 ? (close, close + 1 + trimmed[(close + 1)..].Length - trimmed[(close + 1)..].TrimStart().Length) : (-1, -1);
    }

    private static bool IsSpace<T>(T c)
        where T : unmanaged, IBinaryInteger<T> =>
        typeof(T) == typeof(char) ? char.IsWhiteSpace((char)int.CreateTruncating(c)) : int.CreateTruncating(c) is ' ' or '\t' or '\r';

    private static bool StartsWith<T>(ReadOnlySpan<T> text, string ascii)
        where T : unmanaged, IBinaryInteger<T>
    {
        if (text.Length < ascii.Length)
        {
            return false;
        }

        for (var i = 0; i < ascii.Length; i++)
        {
            if (int.CreateTruncating(text[i]) != ascii[i])
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Looks values up by name in a table row, a named simple line or a fields record.</summary>
internal static class CellLookup
{
    /// <summary>The first cell named one of <paramref name="names"/> (in the order of the names), or <see langword="null"/>.</summary>
    public static Cell? Find(this IReadOnlyList<Cell> cells, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            foreach (var cell in cells)
            {
                if (cell.Name == name)
                {
                    return cell;
                }
            }
        }

        return null;
    }

    /// <summary>The cell named <paramref name="name"/>, which the caller checked is there (a required column or field).</summary>
    public static Cell Get(this IReadOnlyList<Cell> cells, string name) => cells.Find(name) ?? throw new InvalidOperationException($"No cell named {name}.");

    /// <summary>The first non-empty cell named one of <paramref name="names"/>, or <see langword="null"/>.</summary>
    public static Cell? Optional(this IReadOnlyList<Cell> cells, params ReadOnlySpan<string> names) => cells.Find(names) is { Value.Length: > 0 } cell ? cell : null;
}
