namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl endpoint status</c> output (etcdctl 3.4-3.6) in its four formats.</summary>
internal sealed class EndpointStatusParser() : EtcdctlCommandParser("endpoint status", LineKind.StatusFailure)
{
    public static readonly EndpointStatusParser Instance = new();

    /// <summary>The columns of a <c>-w simple</c> line of etcdctl 3.4 and 3.5.</summary>
    private static readonly string[] Simple34 = ["ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "IS LEARNER", "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX"];

    /// <summary>The columns of a <c>-w simple</c> line of etcdctl 3.6 (the table's columns), errors aside.</summary>
    private static readonly string[] Simple36 = ["ENDPOINT", "ID", "VERSION", "STORAGE VERSION", "DB SIZE", "IN USE", "PERCENTAGE NOT IN USE", "QUOTA", "IS LEADER", "IS LEARNER",
        "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX"];

    private static readonly string[] FieldsRequired = ["MemberID", "Revision", "Version", "DBSize", "Leader", "RaftIndex", "RaftAppliedIndex", "Endpoint"];

    protected override int ReadJson(EtcdctlText text, TextLine first, ReadOnlySpan<byte> utf8, int start)
    {
        var json = new EtcdctlJson(utf8, start, stackalloc JsonName[64]);
        StatusJson.Begin(ref json);
        while (StatusJson.Next(ref json, full: true, out var entry))
        {
            text.Add(first, entry.Status!);
        }

        return json.CheckEnd();
    }

    protected override void ReadTable(EtcdctlText text)
    {
        var table = EtcdctlTable.Read(text);
        table.Require("ENDPOINT", "ID", "VERSION", "DB SIZE", "IS LEADER", "RAFT TERM", "RAFT INDEX", "RAFT APPLIED INDEX");
        foreach (var row in table.Rows)
        {
            ReadRow(text, row);
        }

        InferLeader(text);
    }

    protected override void ReadSimple(EtcdctlText text)
    {
        // 3.4 and 3.5: ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS...
        // 3.6: ENDPOINT, ..., RAFT APPLIED INDEX, ERRORS..., DOWNGRADE TARGET VERSION, DOWNGRADE ENABLED (see Simple36).
        // Errors are joined with ", " too, so they take every part between the fixed columns. An error row has the
        // endpoint, blank values and the error.
        foreach (var line in text.ContentLines())
        {
            var parts = text.Columns(line, Simple34);
            if (parts.Count >= 10 && (parts[4].Value is "true" or "false" || parts[1..9].All(p => string.IsNullOrWhiteSpace(p.Value))))
            {
                ReadRow(text, [.. parts[..9], Errors(parts[9..])]);
            }
            else if (parts.Count >= 16 && parts[8].Value is "true" or "false" && parts[^1].Value is "true" or "false")
            {
                ReadRow(text, [.. text.Columns(line, Simple36)[..13], Errors(parts[13..^2])]);
            }
            else if (text.CommandOfSimple(line) is { } other && other != Command)
            {
                throw text.WrongCommandOr(other, line, 0, string.Empty);
            }
            else if (text.IsLastContent(line) && parts.Count is >= 2 and < 10 && parts[1].Value.Length is > 0 and <= 16 && parts[1].Value.All(char.IsAsciiHexDigitLower))
            {
                // A last line that starts like a status line (endpoint, hex ID) but stops early was cut short.
                throw text.Error(EtcdctlParseErrorKind.Truncated, line, text[line].Length, "the rest of the line: 'ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS'");
            }
            else
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, line, parts[0].Column,
                    "'ENDPOINT, ID, VERSION, DB SIZE, IS LEADER, IS LEARNER, RAFT TERM, RAFT INDEX, RAFT APPLIED INDEX, ERRORS' (etcdctl -w simple)");
            }
        }

        InferLeader(text);

        static Cell Errors(List<Cell> parts) => new("ERRORS", string.Join(", ", parts.Select(p => p.Value)).Trim(), parts[0].Line, parts[0].Column);
    }

    /// <summary>A table row or a simple line, by column name; an error row (the endpoint and the error, nothing else) is a failure.</summary>
    private static void ReadRow(EtcdctlText text, IReadOnlyList<Cell> row)
    {
        var endpoint = row.Get("ENDPOINT");
        var errors = row.Optional("ERRORS", "ERROR");
        if (errors is { } error && endpoint.Value.Trim().Length > 0 && row.All(c => c == endpoint || c == error || string.IsNullOrWhiteSpace(c.Value)))
        {
            text.Add(endpoint.Line, new EtcdctlEndpointFailure { Endpoint = endpoint.Value.Trim(), Message = error.Value });
            return;
        }

        var approximate = false;
        var memberId = text.HexId(row.Get("ID"));
        var dbSize = text.Size(row.Get("DB SIZE"), ref approximate);
        long? inUse = row.Optional("DB SIZE IN USE", "IN USE") is { } inUseCell ? text.Size(inUseCell, ref approximate) : null;
        long? quota = row.Optional("QUOTA", "DB SIZE QUOTA") is { } quotaCell ? text.Size(quotaCell, ref approximate) : null;
        var isLeader = text.Boolean(row.Get("IS LEADER"));
        var isLearner = row.Optional("IS LEARNER") is { } learner && text.Boolean(learner);
        var status = new EndpointStatus(endpoint.Value, memberId, row.Get("VERSION").Value, dbSize, isLeader ? memberId : MemberId.None,
            text.UInt64(row.Get("RAFT INDEX")), text.UInt64(row.Get("RAFT TERM")), text.UInt64(row.Get("RAFT APPLIED INDEX")))
        {
            DbSizeInUse = inUse,
            DbSizeQuota = quota > 0 ? quota : null,
            SizesAreApproximate = approximate,
            IsLearner = isLearner,
            // etcdctl joins errors with ", ", and the table writer may have wrapped them onto continuation lines; output
            // cut just after a separator's comma leaves that comma at the end.
            Errors = errors is { } e ? e.Value.TrimEnd().TrimEnd(',').Split(", ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries) : [],
            StorageVersion = row.Optional("STORAGE VERSION")?.Value,
        };
        text.Add(endpoint.Line, status);
    }

    /// <summary>Tables and simple lines print "is leader" but not the leader's ID: it is the member whose row says true, for every row.</summary>
    private static void InferLeader(EtcdctlText text)
    {
        var leaders = text.Items.OfType<EndpointStatus>().Where(s => s.Leader == s.MemberId).Select(s => s.MemberId).Distinct().ToList();
        if (leaders.Count == 1)
        {
            text.Map(item => item is EndpointStatus { Leader.IsNone: true } status && status.MemberId != leaders[0] ? status with { Leader = leaders[0] } : item);
        }
    }

    protected override void ReadFields(EtcdctlText text)
    {
        var records = text.FieldRecords("ClusterID");
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            // The header (ClusterID, MemberID, Revision, RaftTerm), then the status, whose RaftTerm is printed again.
            var terms = record.Where(f => f.Name == "RaftTerm").ToList();
            var missing = FieldsRequired.FirstOrDefault(k => record.Find(k) is null) ?? (terms.Count < 2 ? "RaftTerm" : null);
            if (missing is not null)
            {
                var other = EtcdctlText.CommandOfFields(record.Select(f => f.Name));
                throw other is not null && other != Command
                    ? text.WrongCommandOr(other, record[0].Line, 0, string.Empty)
                    : text.Missing(record, r == records.Count - 1, $"a \"{missing}\" line");
            }

            var twice = record.GroupBy(f => f.Name).FirstOrDefault(g => g.Count() > (g.Key == "RaftTerm" ? 2 : 1));
            if (twice is not null)
            {
                throw text.Error(EtcdctlParseErrorKind.Malformed, twice.ElementAt(twice.Key == "RaftTerm" ? 2 : 1).Line, 0, $"each field once per record (etcdctl never prints \"{twice.Key}\" twice)");
            }

            var memberId = text.UInt64(record.Get("MemberID"));
            var storage = record.Find("StorageVersion") is { } storageCell ? text.Quoted(storageCell) : null;
            var quota = record.Find("DBSizeQuota", "Quota") is { } quotaCell ? text.Int64(quotaCell) : 0;
            text.Add(record[0].Line, new EndpointStatus(text.Quoted(record.Get("Endpoint")), memberId, text.Quoted(record.Get("Version")), text.NonNegativeInt64(record.Get("DBSize")),
                text.UInt64(record.Get("Leader")), text.UInt64(record.Get("RaftIndex")), text.UInt64(terms[1]), text.UInt64(record.Get("RaftAppliedIndex")))
            {
                Header = new ResponseHeader(record.Find("ClusterID") is { } c ? text.UInt64(c) : 0, memberId, text.NonNegativeInt64(record.Get("Revision")), text.UInt64(terms[0])),
                DbSizeInUse = record.Find("DBSizeInUse") is { } inUse ? text.NonNegativeInt64(inUse) : null,
                Errors = record.Find("Errors") is { } errors ? GoStringList(text, errors) : [],
                IsLearner = record.Find("IsLearner") is { } learner && text.Boolean(learner),
                StorageVersion = storage is { Length: > 0 } ? storage : null,
                DbSizeQuota = quota > 0 ? quota : null,
            });
        }
    }

    /// <summary>
    /// Reads a Go <c>%v</c> string list, <c>[a b]</c>. Go joins the items with one space, so items are told apart only
    /// where a new <c>memberID:</c> alarm begins (what etcd puts in a status's errors); other text stays one item.
    /// </summary>
    private static string[] GoStringList(EtcdctlText text, Cell field)
    {
        var value = field.Value;
        if (value.Length < 2 || value[0] != '[' || value[^1] != ']')
        {
            throw text.Error(field, $"a list in brackets for \"{field.Name}\", such as [memberID:... alarm:NOSPACE ]");
        }

        if (value.Length == 2)
        {
            return [];
        }

        // An item is at least one character long: a list that starts with " memberID:" is not split there.
        var items = value[2..^1].Split(" memberID:");
        return [value[1] + items[0], .. items[1..].Select(item => "memberID:" + item)];
    }
}
