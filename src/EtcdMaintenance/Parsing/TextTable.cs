using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>One data row of a table: its cells (continuation lines merged) and where each cell starts.</summary>
internal sealed class TableRow(TextLine line, string[] cells, int[] cellColumns)
{
    public TextLine Line { get; } = line;

    public string[] Cells { get; } = cells;

    /// <summary>The 0-based column in <see cref="Line"/> where each cell's text starts.</summary>
    public int[] CellColumns { get; } = cellColumns;
}

/// <summary>
/// A table as etcdctl's table writer prints it (olekukonko/tablewriter): borders of <c>+</c> and <c>-</c>, cells
/// separated by <c>|</c>, right-aligned, header names upper-cased, and cells longer than 30 characters wrapped onto
/// continuation lines whose first cell is blank. Box-drawing borders and Markdown-style tables read the same way.
/// </summary>
internal sealed class TextTable
{
    /// <summary>Far more columns than any etcdctl table has (etcdctl 3.6's status table has 16).</summary>
    private const int MaxCells = 1024;

    private TextTable(TextLine headerLine, string[] headers, int[] headerColumns, List<TableRow> rows, List<TextLine> otherLines)
    {
        HeaderLine = headerLine;
        Headers = headers;
        HeaderColumns = headerColumns;
        Rows = rows;
        OtherLines = otherLines;
    }

    public TextLine HeaderLine { get; }

    /// <summary>The header names, normalized: upper case, single spaces (<c>RAFT APPLIED INDEX</c>).</summary>
    public string[] Headers { get; }

    public int[] HeaderColumns { get; }

    public List<TableRow> Rows { get; }

    /// <summary>Lines around or inside the table that are etcdctl's standard-error lines (failures, logs).</summary>
    public List<TextLine> OtherLines { get; }

    /// <summary>The index of the column <paramref name="name"/>; throws the parse error for <paramref name="command"/>'s output when it is missing.</summary>
    public int Require(string name, string command) =>
        IndexOf(name) is var index and >= 0 ? index : throw ParseSupport.MissingColumn(HeaderLine.Number, Headers, command, $"a column named {name}");

    public int IndexOf(params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            var index = Array.IndexOf(Headers, name);
            if (index >= 0)
            {
                return index;
            }
        }

        return -1;
    }

    public static TextTable Read(OutputText text)
    {
        TextLine? headerLine = null;
        List<string>[]? headerParts = null;
        int[]? headerColumns = null;
        var rows = new List<TableRow>();
        var others = new List<TextLine>();
        var state = State.BeforeTable;
        TextLine lastContent = default;

        foreach (var line in text.Lines)
        {
            var span = text[line];
            var kind = OutputLines.Classify(span);
            if (kind != LineKind.Content)
            {
                if (kind != LineKind.Blank)
                {
                    others.Add(line);
                }

                continue;
            }

            lastContent = line;
            var trimmedStart = span.Length - span.TrimStart().Length;
            var trimmed = span.Trim();
            if (IsBorder(trimmed))
            {
                state = state switch
                {
                    State.BeforeTable => State.Header,
                    State.Header when headerLine is null => throw text.Error(EtcdctlParseErrorKind.Malformed, line, trimmedStart, "a header row such as '| ENDPOINT | ID | ...'"),
                    State.Header => State.Rows,
                    State.Rows => State.Done,
                    _ => throw text.Error(EtcdctlParseErrorKind.Malformed, line, trimmedStart, "the end of the output after the table"),
                };
                continue;
            }

            if (!IsSeparator(trimmed[0]))
            {
                var expected = state switch
                {
                    State.BeforeTable or State.Header => "a table row starting with '|'",
                    State.Rows => "a table row starting with '|' or the table's closing border",
                    _ => "the end of the output after the table",
                };
                throw text.Error(EtcdctlParseErrorKind.Malformed, line, trimmedStart, expected);
            }

            switch (state)
            {
                case State.BeforeTable or State.Header:
                    // A table without a top border (Markdown style) starts with its header row.
                    state = State.Header;
                    var (parts, columns) = SplitRow(text, line, trimmedStart, trimmed, expectedCells: headerParts?.Length ?? -1);
                    if (headerParts is null)
                    {
                        headerLine = line;
                        headerParts = [.. parts.Select(p => new List<string> { p })];
                        headerColumns = columns;
                    }
                    else
                    {
                        // A wrapped header: later lines continue the names above them.
                        for (var i = 0; i < parts.Length; i++)
                        {
                            if (parts[i].Length > 0)
                            {
                                headerParts[i].Add(parts[i]);
                            }
                        }
                    }

                    break;
                case State.Rows:
                    var (cells, cellColumns) = SplitRow(text, line, trimmedStart, trimmed, expectedCells: headerParts!.Length);
                    if (cells[0].Length == 0 && rows.Count > 0)
                    {
                        var previous = rows[^1];
                        for (var i = 0; i < cells.Length; i++)
                        {
                            if (cells[i].Length > 0)
                            {
                                previous.Cells[i] = previous.Cells[i].Length == 0 ? cells[i] : previous.Cells[i] + " " + cells[i];
                            }
                        }
                    }
                    else
                    {
                        rows.Add(new TableRow(line, cells, cellColumns));
                    }

                    break;
                default:
                    throw text.Error(EtcdctlParseErrorKind.Malformed, line, trimmedStart, "the end of the output after the table");
            }
        }

        switch (state)
        {
            case State.BeforeTable:
                throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, 0, 0, "a table", null));
            case State.Header:
                throw text.EndOfOutput(headerLine is null ? "a header row" : "the border line under the header row");
            case State.Rows:
                // Markdown tables have no closing border; tablewriter's always do.
                if (!IsMarkdownSeparatorAfterHeader(text, headerLine!.Value))
                {
                    throw new EtcdctlParseException(new EtcdctlParseError(
                        EtcdctlParseErrorKind.Truncated, lastContent.Number, lastContent.Length + 1, "the table's closing border line", "the end of the output"));
                }

                break;
        }

        var headers = headerParts!.Select(p => Normalize(string.Join(' ', p))).ToArray();
        return new TextTable(headerLine!.Value, headers, headerColumns!, rows, others);
    }

    public static string Normalize(string header)
    {
        var builder = new StringBuilder(header.Length);
        var space = false;
        foreach (var c in header)
        {
            if (char.IsWhiteSpace(c) || c == '_')
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(char.ToUpperInvariant(c));
        }

        return builder.ToString();
    }

    private static (string[] Cells, int[] Columns) SplitRow(OutputText text, TextLine line, int offset, ReadOnlySpan<char> trimmed, int expectedCells)
    {
        if (trimmed.Length < 2 || !IsSeparator(trimmed[^1]))
        {
            var isLast = line.Number == text.Lines[^1].Number;
            throw text.Error(isLast ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line, offset + trimmed.Length, "'|' closing the row");
        }

        if (trimmed.Count('|') + trimmed.Count('\u2502') + trimmed.Count('\u2551') > MaxCells + 1)
        {
            throw text.Error(EtcdctlParseErrorKind.Malformed, line, offset, $"a table row of at most {MaxCells} cells");
        }

        var cells = new List<string>(expectedCells > 0 ? expectedCells : 16);
        var columns = new List<int>(cells.Capacity);
        var start = 1;
        for (var i = 1; i < trimmed.Length; i++)
        {
            if (!IsSeparator(trimmed[i]))
            {
                continue;
            }

            var raw = trimmed[start..i];
            var lead = raw.Length - raw.TrimStart().Length;
            cells.Add(raw.Trim().ToString());
            columns.Add(offset + start + lead);
            start = i + 1;
        }

        if (expectedCells >= 0 && cells.Count != expectedCells)
        {
            var isLast = line.Number == text.Lines[^1].Number;
            throw text.Error(isLast && cells.Count < expectedCells ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line, offset,
                $"{expectedCells} cells separated by '|', as in the header (found {cells.Count})");
        }

        return ([.. cells], [.. columns]);
    }

    private static bool IsMarkdownSeparatorAfterHeader(OutputText text, TextLine headerLine)
    {
        // The only border in a Markdown table is the one right under the header, and no border precedes the header.
        var before = text.Lines.Take(headerLine.Number - 1).Any(l => IsBorder(text[l].Trim()));
        return !before;
    }

    private static bool IsSeparator(char c) => c is '|' or '\u2502' or '\u2551';

    private static bool IsBorder(ReadOnlySpan<char> line)
    {
        var dashes = false;
        foreach (var c in line)
        {
            switch (c)
            {
                case '-' or '=' or '\u2500' or '\u2550':
                    dashes = true;
                    break;
                case '+' or '|' or ':' or ' ' or (>= '\u2500' and <= '\u257F'):
                    break;
                default:
                    return false;
            }
        }

        return dashes;
    }

    private enum State
    {
        BeforeTable,
        Header,
        Rows,
        Done,
    }
}
