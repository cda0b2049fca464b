using System.Buffers;
using System.Text;
using static EtcdMaintenance.Parsing.ParseSupport;

namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl endpoint status</c> output (etcdctl 3.4-3.6) in its four formats.</summary>
internal static class EndpointStatusParser
{
    private const string Command = "endpoint status";
    private const string ExpectedOutput = "etcdctl endpoint status output";

    public static EtcdctlStatusOutput Parse(string output, EtcdctlOutputFormat format)
    {
        if (format is EtcdctlOutputFormat.Auto or EtcdctlOutputFormat.Json && TryParsePlainJson(output) is { } plain)
        {
            return plain;
        }

        var text = new OutputText(output);
        var ordered = new Ordered();
        var first = OutputLines.FirstContent(text);
        if (first is not { } firstLine)
        {
            // Every endpoint failed and only standard error was captured (-w simple or -w fields print nothing then).
            AddFailures(text, text.Lines, LineKind.StatusFailure, ordered, Command);
            var failures = ordered.ToList();
            return failures.Count > 0
                ? new EtcdctlStatusOutput(format == EtcdctlOutputFormat.Auto ? EtcdctlOutputFormat.Simple : format, failures)
                : throw NoOutput(text, ExpectedOutput);
        }

        var detected = format == EtcdctlOutputFormat.Auto ? OutputLines.DetectFormat(text[firstLine]) : format;
        switch (detected)
        {
            case EtcdctlOutputFormat.Json:
                ParseJson(text, firstLine, ordered);
                break;
            case EtcdctlOutputFormat.Table:
                ParseTable(text, ordered);
                break;
            case EtcdctlOutputFormat.Fields:
                ParseFields(text, ordered);
                break;
            default:
                ParseSimple(text, ordered);
                break;
        }

        return new EtcdctlStatusOutput(detected, ordered.ToList());
    }

    /// <summary>
    /// The common case, read straight from UTF-8 in a pooled buffer: a JSON array with nothing around it but blank and
    /// log lines. <see langword="null"/> for anything else (failure lines, another format), which the general path reads.
    /// </summary>
    private static EtcdctlStatusOutput? TryParsePlainJson(string output)
    {
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(output.Length));
        try
        {
            ReadOnlySpan<byte> utf8 = rented.AsSpan(0, Encoding.UTF8.GetBytes(output, rented));
            foreach (var line in new Utf8Lines(utf8))
            {
                var kind = OutputLines.Classify(line.Text);
                if (kind is LineKind.Blank or LineKind.Noise)
                {
                    continue;
                }

                var lead = line.Text.Length - line.Text.TrimStart(" \t"u8).Length;
                if (kind != LineKind.Content || line.Text[lead] != (byte)'[' || !OutputLines.LooksLikeJsonArray(line.Text))
                {
                    return null;
                }

                var statuses = new List<EndpointStatus>();
                var json = new EtcdctlJson(utf8, line.Start, stackalloc JsonName[64]);
                StatusJson.Begin(ref json);
                while (StatusJson.Next(ref json, full: true, out var entry))
                {
                    statuses.Add(entry.Status!);
                }

                foreach (var after in new Utf8Lines(utf8, json.CheckEnd()))
                {
                    if (OutputLines.Classify(after.Text) is not (LineKind.Blank or LineKind.Noise))
                    {
                        return null;
                    }
                }

                return new EtcdctlStatusOutput(EtcdctlOutputFormat.Json, statuses);
            }

            return null;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static void ParseJson(OutputText text, TextLine first, Ordered ordered)
    {
        AddFailures(text, Before(text, first), LineKind.StatusFailure, ordered, Command);
        var json = new EtcdctlJson(text.Utf8, text.ByteOffset(first), stackalloc JsonName[64]);
        StatusJson.Begin(ref json);
        while (StatusJson.Next(ref json, full: true, out var entry))
        {
            ordered.Add(first.Number, entry.Status!);
        }

        AddFailures(text, text.LinesFrom(json.CheckEnd()), LineKind.StatusFailure, ordered, Command);
    }

    private static void ParseTable(OutputText text, Ordered ordered)
    {
        var table = TextTable.Read(text);
        AddFailures(text, table.OtherLines, LineKind.StatusFailure, ordered, Command);
        var columns = new StatusColumns(table);
        var rows = new List<(TableRow Row, EndpointStatus Status)>();
        foreach (var row in table.Rows)
        {
            var cells = row.Cells;
            if (columns.IsErrorRow(cells))
            {
                ordered.Add(row.Line.Number, new EtcdctlEndpointFailure(cells[columns.Endpoint], cells[columns.Errors]));
                continue;
            }

            var status = columns.Read(text, row.Line, row.Cells, row.CellColumns);
            rows.Add((row, status));
            ordered.Add(row.Line.Number, status);
        }

        InferLeaders(rows.Select(r => r.Status).ToList(), ordered);
    }

    private static void ParseSimple(OutputText text, Ordered ordered)
    {
        var statuses = new List<EndpointStatus>();
        var lastContent = text.Lines.Last(l => OutputLines.Classify(text[l]) == LineKind.Content);
        foreach (var line in text.Lines)
        {
            var span = text[line];
            var kind = OutputLines.Classify(span);
            if (kind != LineKind.Content)
            {
                AddFailures(text, [line], LineKind.StatusFailure, ordered, Command);
                continue;
            }

            var lead = span.Length - span.TrimStart().Length;
            var (parts, columns) = SplitSimple(span[lead..]);
            for (var i = 0; i < columns.Length; i++)
            {
                columns[i] += lead;
            }

            var status = ReadSimpleLine(text, line, parts, columns, line.Number == lastContent.Number, out var failure);
            if (status is null)
            {
                ordered.Add(line.Number, failure!);
                continue;
            }

            statuses.Add(status);
            ordered.Add(line.Number, status);
        }

        InferLeaders(statuses, ordered);
    }

    private static EndpointStatus? ReadSimpleLine(OutputText text, TextLine line, string[] parts, int[] columns, bool isLast, out EtcdctlEndpointFailure? failure)
    {
        failure = null;
        // 3.4 and 3.5: ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS...
        // 3.6: ENDPOINT, ID, VERSION, STORAGE VERSION, DB SIZE, IN USE, PERCENTAGE NOT IN USE, QUOTA, IS LEADER, IS LEARNER,
        //      RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS..., DOWNGRADE TARGET VERSION, DOWNGRADE ENABLED
        // Errors are joined with ", " too, so they take every part between the fixed columns.
        if (parts.Length >= 10 && parts[4] is "true" or "false")
        {
            string[] cells = [.. parts[..9], string.Join(", ", parts[9..])];
            return StatusColumns.Simple34.Read(text, line, cells, columns[..10]);
        }

        if (parts.Length >= 16 && parts[8] is "true" or "false" && parts[^1] is "true" or "false")
        {
            string[] cells = [.. parts[..13], string.Join(", ", parts[13..^2]), .. parts[^2..]];
            return StatusColumns.Simple36.Read(text, line, cells, [.. columns[..14], .. columns[^2..]]);
        }

        if (parts.Length >= 10 && parts[0].Trim().Length > 0 && parts[1..9].All(p => p.Trim().Length == 0))
        {
            // An error row: the endpoint, blank values, the error.
            failure = new EtcdctlEndpointFailure(parts[0].Trim(), string.Join(", ", parts[9..]).Trim());
            return failure.Message.Length > 0 ? null : throw text.Error(EtcdctlParseErrorKind.Malformed, line, columns[1], "a hex member ID");
        }

        var other = CommandOfSimple(text[line]);
        if (other is not null && other != Command)
        {
            throw text.Error(EtcdctlParseErrorKind.WrongCommand, line, 0, $"endpoint status output (this line is {other} output)");
        }

        // A last line that starts like a status line (endpoint, hex ID) but stops early was cut short.
        var cut = isLast && parts.Length is >= 2 and < 10 && parts[1].Length is > 0 and <= 16 && parts[1].All(char.IsAsciiHexDigitLower);
        throw cut
            ? text.Error(EtcdctlParseErrorKind.Truncated, line, text[line].Length, "the rest of the line: 'ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS'")
            : text.Error(EtcdctlParseErrorKind.Malformed, line, columns[0],
                "'ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS' (etcdctl -w simple)");
    }

    private static void InferLeaders(List<EndpointStatus> statuses, Ordered ordered)
    {
        // Tables and simple lines print "is leader" but not the leader's ID: infer it from the row that says true.
        var leaders = statuses.Where(s => s.Leader == s.MemberId).Select(s => s.MemberId).Distinct().ToList();
        if (leaders.Count != 1)
        {
            return;
        }

        var leader = leaders[0];
        ordered.Map(item => item is EndpointStatus { Leader.IsNone: true } status && status.MemberId != leader ? status with { Leader = leader } : item);
    }

    private static void ParseFields(OutputText text, Ordered ordered)
    {
        var others = new List<TextLine>();
        var fields = FieldsText.Read(text, others);
        AddFailures(text, others, LineKind.StatusFailure, ordered, Command);
        var records = FieldsText.Records(fields, "ClusterID", out var prologue);
        if (prologue.Count > 0 || records.Count == 0)
        {
            var other = CommandOfFields(fields.Select(f => f.Key));
            var at = prologue.Count > 0 ? prologue[0] : fields[0];
            throw text.Error(other is not null && other != Command ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, at.Line, 0,
                other is not null && other != Command ? $"endpoint status output (this is {other} output)" : "a record starting with \"ClusterID\"");
        }

        for (var r = 0; r < records.Count; r++)
        {
            var status = ReadFieldsRecord(text, records[r], isLast: r == records.Count - 1);
            ordered.Add(records[r][0].Line.Number, status);
        }
    }

    private static EndpointStatus ReadFieldsRecord(OutputText text, List<FieldLine> record, bool isLast)
    {
        ulong clusterId = 0, memberId = 0, headerTerm = 0, leader = 0, raftIndex = 0, raftTerm = 0, raftAppliedIndex = 0;
        long revision = 0, dbSize = 0;
        long? dbSizeInUse = null, quota = null;
        string? version = null, endpoint = null, storageVersion = null;
        IReadOnlyList<string> errors = [];
        var isLearner = false;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        FieldLine? duplicate = null;
        var terms = 0;
        foreach (var field in record)
        {
            if (!seen.Add(field.Key) && field.Key != "RaftTerm")
            {
                // Reported after the command check: another command's record repeats its own keys.
                duplicate ??= field;
            }

            switch (field.Key)
            {
                case "ClusterID": clusterId = FieldsText.UInt64(text, field); break;
                case "MemberID": memberId = FieldsText.UInt64(text, field); break;
                case "Revision": revision = FieldsText.NonNegativeInt64(text, field); break;
                case "RaftTerm":
                    // Printed twice: the header's term, then the status's.
                    if (terms == 2)
                    {
                        throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, 0, "\"RaftTerm\" at most twice per record (the header's and the status's)");
                    }

                    if (terms++ == 0)
                    {
                        headerTerm = FieldsText.UInt64(text, field);
                    }
                    else
                    {
                        raftTerm = FieldsText.UInt64(text, field);
                    }

                    break;
                case "Version": version = FieldsText.Quoted(text, field); break;
                case "StorageVersion":
                    var storage = FieldsText.Quoted(text, field);
                    storageVersion = storage.Length == 0 ? null : storage;
                    break;
                case "DBSize": dbSize = FieldsText.NonNegativeInt64(text, field); break;
                case "DBSizeInUse": dbSizeInUse = FieldsText.NonNegativeInt64(text, field); break;
                case "DBSizeQuota" or "Quota":
                    var value = FieldsText.Int64(text, field);
                    quota = value > 0 ? value : null;
                    break;
                case "Leader": leader = FieldsText.UInt64(text, field); break;
                case "IsLearner": isLearner = FieldsText.Boolean(text, field); break;
                case "RaftIndex": raftIndex = FieldsText.UInt64(text, field); break;
                case "RaftAppliedIndex": raftAppliedIndex = FieldsText.UInt64(text, field); break;
                case "Errors": errors = FieldsText.GoStringList(text, field); break;
                case "Endpoint": endpoint = FieldsText.Quoted(text, field); break;
            }
        }

        string[] required = ["MemberID", "Revision", "Version", "DBSize", "Leader", "RaftIndex", "RaftAppliedIndex", "Endpoint"];
        var missing = required.FirstOrDefault(k => !seen.Contains(k)) ?? (terms < 2 ? "RaftTerm" : null);
        if (missing is not null)
        {
            var other = CommandOfFields(seen);
            if (other is not null && other != Command)
            {
                throw text.Error(EtcdctlParseErrorKind.WrongCommand, record[0].Line, 0, $"endpoint status output (this is {other} output)");
            }

            var last = record[^1].Line;
            throw isLast
                ? new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, last.Number, last.Length + 1, $"a \"{missing}\" line in this record", "the end of the output"))
                : text.Error(EtcdctlParseErrorKind.Malformed, record[0].Line, 0, $"a \"{missing}\" line in the record starting here");
        }

        if (duplicate is { } twice)
        {
            throw text.Error(EtcdctlParseErrorKind.Malformed, twice.Line, 0, $"each field once per record (etcdctl never prints \"{twice.Key}\" twice)");
        }

        return new EndpointStatus(endpoint!, memberId, version!, dbSize, leader, raftIndex, raftTerm, raftAppliedIndex)
        {
            Header = new ResponseHeader(clusterId, memberId, revision, headerTerm),
            DbSizeInUse = dbSizeInUse,
            Errors = errors,
            IsLearner = isLearner,
            StorageVersion = storageVersion,
            DbSizeQuota = quota,
        };
    }

    /// <summary>Where each value is in a table or simple row, by column name.</summary>
    private sealed class StatusColumns
    {
        /// <summary>The columns of a <c>-w simple</c> line of etcdctl 3.4 and 3.5.</summary>
        public static readonly StatusColumns Simple34 = new(
            ["ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX", "ERRORS"], table: null);

        /// <summary>The columns of a <c>-w simple</c> line of etcdctl 3.6 (the table's columns).</summary>
        public static readonly StatusColumns Simple36 = new(
            ["ENDPOINT", "ID", "VERSION", "STORAGE VERSION", "DB SIZE", "IN USE", "PERCENTAGE NOT IN USE", "QUOTA", "IS LEADER", "IS LEARNER",
             "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX", "ERRORS", "DOWNGRADE TARGET VERSION", "DOWNGRADE ENABLED"], table: null);

        private readonly int _version, _dbSize, _inUse, _quota, _storage, _isLeader, _isLearner, _raftTerm, _raftIndex, _applied;

        public StatusColumns(TextTable table)
            : this(table.Headers, table)
        {
        }

        private StatusColumns(string[] headers, TextTable? table)
        {
            int Find(params ReadOnlySpan<string> names)
            {
                foreach (var name in names)
                {
                    var index = Array.IndexOf(headers, name);
                    if (index >= 0)
                    {
                        return index;
                    }
                }

                return -1;
            }

            int Require(string name)
            {
                var index = Find(name);
                if (index >= 0 || table is null)
                {
                    return index;
                }

                throw MissingColumn(table.HeaderLine.Number, headers, Command, $"a column named {name}");
            }

            Endpoint = Require("ENDPOINT");
            Id = Require("ID");
            _version = Require("VERSION");
            _dbSize = Require("DB SIZE");
            _isLeader = Require("IS LEADER");
            _raftTerm = Require("RAFT TERM");
            _raftIndex = Require("RAFT INDEX");
            _applied = Require("RAFT APPLIED INDEX");
            _isLearner = Find("IS LEARNER");
            Errors = Find("ERRORS", "ERROR");
            _inUse = Find("DB SIZE IN USE", "IN USE");
            _quota = Find("QUOTA", "DB SIZE QUOTA");
            _storage = Find("STORAGE VERSION");
        }

        public int Endpoint { get; }

        public int Id { get; }

        public int Errors { get; }

        /// <summary>An error row: the endpoint and the error, every value cell blank.</summary>
        public bool IsErrorRow(string[] cells) =>
            Errors >= 0 && cells[Endpoint].Length > 0 && cells[Errors].Length > 0 &&
            cells.Select((cell, i) => (cell, i)).All(c => c.i == Endpoint || c.i == Errors || c.cell.Length == 0);

        public EndpointStatus Read(OutputText text, TextLine line, string[] cells, int[] columns)
        {
            var approximate = false;
            var memberId = HexId(text, line, columns[Id], cells[Id], "a hex member ID such as 8e9e05c52164694d");
            var dbSize = Size(text, line, columns[_dbSize], cells[_dbSize], "a size such as '20 kB' or '8.4 MB'", ref approximate);
            long? inUse = _inUse >= 0 && cells[_inUse].Length > 0
                ? Size(text, line, columns[_inUse], cells[_inUse], "a size such as '16 kB'", ref approximate)
                : null;
            long? quota = _quota >= 0 && cells[_quota].Length > 0
                ? Size(text, line, columns[_quota], cells[_quota], "a size such as '2.1 GB'", ref approximate)
                : null;
            var isLeader = Boolean(text, line, columns[_isLeader], cells[_isLeader], "true or false (IS LEADER)");
            var isLearner = _isLearner >= 0 && cells[_isLearner].Length > 0 &&
                Boolean(text, line, columns[_isLearner], cells[_isLearner], "true or false (IS LEARNER)");
            var raftTerm = UInt64(text, line, columns[_raftTerm], cells[_raftTerm], "a number (RAFT TERM)");
            var raftIndex = UInt64(text, line, columns[_raftIndex], cells[_raftIndex], "a number (RAFT INDEX)");
            var applied = UInt64(text, line, columns[_applied], cells[_applied], "a number (RAFT APPLIED INDEX)");
            var errors = Errors >= 0 && cells[Errors].Length > 0 ? SplitErrors(cells[Errors]) : [];
            var storage = _storage >= 0 && cells[_storage].Length > 0 ? cells[_storage] : null;
            return new EndpointStatus(cells[Endpoint], memberId, cells[_version], dbSize, isLeader ? memberId : MemberId.None, raftIndex, raftTerm, applied)
            {
                DbSizeInUse = inUse,
                DbSizeQuota = quota > 0 ? quota : null,
                SizesAreApproximate = approximate,
                IsLearner = isLearner,
                Errors = errors,
                StorageVersion = storage,
            };
        }

        /// <summary>etcdctl joins errors with ", ", and the table writer may have wrapped them onto continuation lines.</summary>
        private static IReadOnlyList<string> SplitErrors(string cell) =>
            [.. cell.Split(", ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)];
    }
}
