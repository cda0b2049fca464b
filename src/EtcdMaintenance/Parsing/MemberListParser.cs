using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// Parses <c>etcdctl member list</c> output: <c>-w json</c>, <c>-w table</c>, <c>-w simple</c> and <c>-w fields</c>.
/// The items are the members and, from JSON and fields, the response header.
/// </summary>
internal sealed class MemberListParser() : EtcdctlCommandParser("member list")
{
    public static readonly MemberListParser Instance = new();

    protected override int ReadJson(EtcdctlText text, TextLine first, ReadOnlySpan<byte> utf8, int start)
    {
        // {"header": {...}, "members": [{"ID": 1, "name": "...", "peerURLs": [...], "clientURLs": [...], "isLearner": true}]}
        var json = new EtcdctlJson(utf8, start, stackalloc JsonName[64]);
        json.Start(JsonTokenType.StartObject, "member list output, a JSON object with \"members\"");

        string? other = null;
        var sawHeader = false;
        var sawMembers = false;
        while (json.NextProperty("a property name or '}'"))
        {
            if (json.NameIs("header"u8))
            {
                json.Expect(JsonTokenType.StartObject, "the header object");
                text.Add(first, StatusJson.ReadHeader(ref json).ToHeader());
                sawHeader = true;
            }
            else if (json.NameIs("members"u8))
            {
                json.Expect(JsonTokenType.StartArray, "an array of members");
                sawMembers = true;
                while (json.NextObject("a member object or ']'", "a member object"))
                {
                    text.Add(first, ReadJsonMember(ref json));
                }
            }
            else
            {
                json.SkipOther(ref other);
            }
        }

        if (!sawMembers && (other is not null || !sawHeader))
        {
            throw other is not null ? json.Error(EtcdctlParseErrorKind.WrongCommand, $"member list output (this is {other} output)")
                : json.Error(EtcdctlParseErrorKind.Malformed, "a \"members\" array");
        }

        return json.CheckEnd();
    }

    private static EtcdMember ReadJsonMember(ref EtcdctlJson json)
    {
        ulong? id = null;
        var name = string.Empty;
        IReadOnlyList<string> peers = [], clients = [];
        var isLearner = false;
        while (json.NextProperty("a member property or '}'"))
        {
            if (json.NameIs("ID"u8))
            {
                id = json.UInt64("ID as an unsigned 64-bit number");
            }
            else if (json.NameIs("name"u8))
            {
                name = json.String("name as a JSON string");
            }
            else if (json.NameIs("peerURLs"u8))
            {
                peers = json.StringArray("peerURLs as an array of strings");
            }
            else if (json.NameIs("clientURLs"u8))
            {
                clients = json.StringArray("clientURLs as an array of strings");
            }
            else if (json.NameIs("isLearner"u8))
            {
                isLearner = json.Boolean("isLearner as true or false");
            }
            else
            {
                json.SkipValue();
            }
        }

        return id is { } memberId ? new EtcdMember(memberId, name, peers, clients, isLearner) : throw json.Error(EtcdctlParseErrorKind.Malformed, "an \"ID\" in each member");
    }

    protected override void ReadTable(EtcdctlText text)
    {
        var table = EtcdctlTable.Read(text);
        table.Require("ID", "NAME", "PEER ADDRS", "CLIENT ADDRS");
        foreach (var row in table.Rows)
        {
            ReadRow(text, row);
        }
    }

    protected override void ReadSimple(EtcdctlText text)
    {
        foreach (var line in text.ContentLines())
        {
            var parts = text.Columns(line, "ID", "STATUS", "NAME", "PEER ADDRS", "CLIENT ADDRS", "IS LEARNER");
            if (parts.Count is not (5 or 6) || parts[1].Value is not ("started" or "unstarted"))
            {
                var other = text.CommandOfSimple(line);
                throw other is null && parts.Count < 5 && text.IsLastContent(line)
                    ? text.Error(EtcdctlParseErrorKind.Truncated, line, parts[^1].Column, "'ID, STATUS, NAME, PEER ADDRS, CLIENT ADDRS, IS LEARNER' (etcdctl -w simple)")
                    : text.WrongCommandOr(other, line, parts[^1].Column, "'ID, STATUS, NAME, PEER ADDRS, CLIENT ADDRS, IS LEARNER' (etcdctl -w simple)");
            }

            // Unlike a table cell, a simple line's IS LEARNER is never blank.
            _ = parts.Count == 6 && text.Boolean(parts[5]);
            ReadRow(text, parts);
        }
    }

    /// <summary>A table row or a simple line: ID, NAME, PEER ADDRS, CLIENT ADDRS[, IS LEARNER].</summary>
    private static void ReadRow(EtcdctlText text, IReadOnlyList<Cell> row)
    {
        var id = row.Get("ID");
        var isLearner = row.Optional("IS LEARNER") is { } learner && text.Boolean(learner);
        text.Add(id.Line, new EtcdMember(text.HexId(id), row.Get("NAME").Value, SplitUrls(row.Get("PEER ADDRS")), SplitUrls(row.Get("CLIENT ADDRS")), isLearner));

        static string[] SplitUrls(Cell cell) => cell.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    }

    protected override void ReadFields(EtcdctlText text)
    {
        // The header (ClusterID, MemberID, Revision, RaftTerm), then per member: ID, Name, PeerURL..., ClientURL..., IsLearner.
        var prologue = new List<Cell>();
        var records = text.FieldRecords("ID", prologue);
        if (prologue.Count > 0)
        {
            text.Add(prologue[0].Line, new ResponseHeader(
                prologue.Find("ClusterID") is { } cluster ? text.UInt64(cluster) : 0, prologue.Find("MemberID") is { } member ? text.UInt64(member) : 0,
                prologue.Find("Revision") is { } revision ? text.Int64(revision) : 0, prologue.Find("RaftTerm") is { } term ? text.UInt64(term) : 0));
        }

        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            if (record.Find("IsLearner") is null && r == records.Count - 1)
            {
                throw EtcdctlText.Truncated(record[^1].Line, "an \"IsLearner\" line ending the member");
            }

            text.Add(record[0].Line, new EtcdMember(text.UInt64(record[0]), record.Find("Name") is { } name ? text.Quoted(name) : string.Empty,
                [.. record.Where(f => f.Name == "PeerURL").Select(text.Quoted)], [.. record.Where(f => f.Name == "ClientURL").Select(text.Quoted)],
                record.Find("IsLearner") is { } learner && text.Boolean(learner)));
        }
    }
}
