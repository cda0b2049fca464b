namespace EtcdMaintenance.Parsing;

/// <summary>
/// A table as etcdctl's table writer prints it (olekukonko/tablewriter): borders of <c>+</c> and <c>-</c>, cells
/// separated by <c>|</c>, header names upper-cased, and cells longer than 30 characters wrapped onto continuation lines
/// whose first cell is blank. Box-drawing borders and Markdown-style tables read the same way. Rows are read by header
/// name: each cell is named by its column's normalized header (<c>RAFT APPLIED INDEX</c>).
/// </summary>
internal sealed class EtcdctlTable
{
    /// <summary>Far more columns than any etcdctl table has (etcdctl 3.6's status table has 16).</summary>
    private const int MaxCells = 1024;
    private readonly EtcdctlText _text;

    private EtcdctlTable(EtcdctlText text, TextLine headerLine, string[] headers, List<Cell[]> rows)
    {
        _text = text;
        HeaderLine = headerLine;
        Headers = headers;
        Rows = rows;
    }

    public TextLine HeaderLine { get; }

    /// <summary>The header names, normalized: upper case, single spaces.</summary>
    public string[] Headers { get; }

    /// <summary>The data rows, continuation lines merged, each cell named by its header.</summary>
    public List<Cell[]> Rows { get; }

    /// <summary>
    /// Checks that the table has the columns <paramref name="names"/>; when one is missing, it is another command's table
    /// (<see cref="EtcdctlParseErrorKind.WrongCommand"/>) or a malformed one.
    /// </summary>
    public void Require(params string[] names)
    {
        var missing = names.FirstOrDefault(n => !Headers.Contains(n));
        if (missing is null)
        {
            return;
        }

        var other = Headers.Contains("PEER ADDRS") ? "member list" :
            Headers.Contains("HEALTH") ? "endpoint health" :
            Headers.Contains("HASH") ? "endpoint hashkv" :
            Headers.Contains("DB SIZE") && Headers.Contains("ENDPOINT") ? "endpoint status" :
            Headers.Contains("TOTAL KEYS") ? "snapshot status" : null;
        throw new EtcdctlParseException(other is not null && other != _text.Command
            ? new EtcdctlParseError(EtcdctlParseErrorKind.WrongCommand, HeaderLine.Number, 1, $"{_text.Command} output (this is an {other} table)", null)
            : new EtcdctlParseError(EtcdctlParseErrorKind.Malformed, HeaderLine.Number, 1, $"columns named {string.Join(", ", names)}", string.Join(" | ", Headers)));
    }

    public static EtcdctlTable Read(EtcdctlText text)
    {
        TextLine? headerLine = null;
        List<string>[]? headerParts = null;
        var rows = new List<Cell[]>();
        var state = State.BeforeTable;
        TextLine lastContent = default;
        foreach (var line in text.ContentLines())
        {
            lastContent = line;
            var span = text[line];
            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.Trim();
            if (IsBorder(trimmed))
            {
                state = state switch
                {
                    State.BeforeTable => State.Header,
                    State.Header when headerLine is null => throw text.Error(EtcdctlParseErrorKind.Malformed, line, lead, "a header row such as '| ENDPOINT | ID | ...'"),
                    State.Header => State.Rows,
                    State.Rows => State.Done,
                    _ => throw text.Error(EtcdctlParseErrorKind.Malformed, line, lead, "the end of the output after the table"),
                };
                continue;
            }

            if (!IsSeparator(trimmed[0]) || state == State.Done)
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, line, lead, state switch
                {
                    State.BeforeTable or State.Header => "a table row starting with '|'",
                    State.Rows => "a table row starting with '|' or the table's closing border",
                    _ => "the end of the output after the table",
                });
            }

            var cells = SplitRow(text, line, lead, trimmed, headerParts?.Length ?? -1);
            if (state != State.Rows)
            {
                // A table without a top border (Markdown style) starts with its header row; a wrapped header continues
                // the names above it.
                state = State.Header;
                headerLine ??= line;
                headerParts ??= [.. cells.Select(_ => new List<string>())];
                for (var i = 0; i < cells.Length; i++)
                {
                    if (cells[i].Value.Length > 0)
                    {
                        headerParts[i].Add(cells[i].Value);
                    }
                }
            }
            else if (cells[0].Value.Length == 0 && rows.Count > 0)
            {
                var previous = rows[^1];
                for (var i = 0; i < cells.Length; i++)
                {
                    if (cells[i].Value.Length > 0)
                    {
                        previous[i] = previous[i] with { Value = previous[i].Value.Length == 0 ? cells[i].Value : previous[i].Value + " " + cells[i].Value };
                    }
                }
            }
            else
            {
                rows.Add(cells);
            }
        }

        switch (state)
        {
            case State.BeforeTable:
                throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, 0, 0, "a table", null));
            case State.Header:
                throw EtcdctlText.Truncated(text.Lines[^1], headerLine is null ? "a header row" : "the border line under the header row");
            case State.Rows when text.Lines.Take(headerLine!.Value.Number - 1).Any(l => IsBorder(text[l].Trim())):
                // Markdown tables have no closing border, and no border above the header; tablewriter's always do.
                throw EtcdctlText.Truncated(lastContent, "the table's closing border line");
        }

        var headers = headerParts!.Select(p => Normalize(string.Join(' ', p))).ToArray();
        foreach (var row in rows)
        {
            for (var i = 0; i < row.Length; i++)
            {
                row[i] = row[i] with { Name = headers[i] };
            }
        }

        return new EtcdctlTable(text, headerLine!.Value, headers, rows);
    }

    /// <summary>Upper case, single spaces, underscores as spaces: <c>raft_applied  index</c> is <c>RAFT APPLIED INDEX</c>.</summary>
    private static string Normalize(string header) => string.Join(' ', header.Replace('_', ' ').Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)).ToUpperInvariant();

    private static Cell[] SplitRow(EtcdctlText text, TextLine line, int offset, ReadOnlySpan<char> trimmed, int expectedCells)
    {
        var isLast = line.Number == text.Lines[^1].Number;
        if (trimmed.Length < 2 || !IsSeparator(trimmed[^1]))
        {
            throw text.Error(isLast ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line, offset + trimmed.Length, "'|' closing the row");
        }

        if (trimmed.Count('|') + trimmed.Count('\u2502') + trimmed.Count('\u2551') > MaxCells + 1)
        {
            throw text.Error(EtcdctlParseErrorKind.Malformed, line, offset, $"a table row of at most {MaxCells} cells");
        }

        var cells = new List<Cell>(expectedCells > 0 ? expectedCells : 16);
        for (int i = 1, start = 1; i < trimmed.Length; i++)
        {
            if (IsSeparator(trimmed[i]))
            {
                var raw = trimmed[start..i];
                cells.Add(new Cell(string.Empty, raw.Trim().ToString(), line, offset + start + raw.Length - raw.TrimStart().Length));
                start = i + 1;
            }
        }

        if (expectedCells >= 0 && cells.Count != expectedCells)
        {
            throw text.Error(isLast && cells.Count < expectedCells ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line, offset,
                $"{expectedCells} cells separated by '|', as in the header (found {cells.Count})");
        }

        return [.. cells];
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
