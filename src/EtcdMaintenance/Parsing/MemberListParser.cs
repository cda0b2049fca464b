using System.Text.Json;
using static EtcdMaintenance.Parsing.ParseSupport;

namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl member list</c> output: <c>-w json</c>, <c>-w table</c>, <c>-w simple</c> and <c>-w fields</c>.</summary>
internal static class MemberListParser
{
    private const string Command = "member list";

    public static EtcdctlMemberList Parse(string output, EtcdctlOutputFormat format)
    {
        var text = new OutputText(output);
        var first = OutputLines.FirstContent(text) ?? throw NoOutput(text, "etcdctl member list output");
        var detected = format == EtcdctlOutputFormat.Auto ? OutputLines.DetectFormat(text[first]) : format;
        return detected switch
        {
            EtcdctlOutputFormat.Json => ParseJson(text, first),
            EtcdctlOutputFormat.Table => ParseTable(text),
            EtcdctlOutputFormat.Fields => ParseFields(text),
            _ => ParseSimple(text),
        };
    }

    private static EtcdctlMemberList ParseJson(OutputText text, TextLine first)
    {
        RejectForeignLines(text, Before(text, first), Command);
        var json = new EtcdctlJson(text.Utf8, text.ByteOffset(first), stackalloc JsonName[64]);
        json.Read("a JSON object with \"members\"");
        if (json.TokenType == JsonTokenType.StartArray)
        {
            throw json.Error(EtcdctlParseErrorKind.WrongCommand, "member list output, a JSON object (a JSON array comes from endpoint status, health or hashkv)");
        }

        if (json.TokenType != JsonTokenType.StartObject)
        {
            throw json.Error(EtcdctlParseErrorKind.Malformed, "a JSON object with \"members\"");
        }

        ResponseHeader? header = null;
        List<EtcdMember>? members = null;
        string? other = null;
        while (true)
        {
            json.Read("a property name or '}'");
            if (json.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            if (json.NameIs("header"u8))
            {
                json.Expect(JsonTokenType.StartObject, "the header object");
                header = StatusJson.ReadHeader(ref json).ToHeader();
            }
            else if (json.NameIs("members"u8))
            {
                json.Expect(JsonTokenType.StartArray, "an array of members");
                members = [];
                while (true)
                {
                    json.Read("a member object or ']'");
                    if (json.TokenType == JsonTokenType.EndArray)
                    {
                        break;
                    }

                    if (json.TokenType != JsonTokenType.StartObject)
                    {
                        throw json.Error(EtcdctlParseErrorKind.Malformed, "a member object");
                    }

                    members.Add(ReadJsonMember(ref json));
                }
            }
            else
            {
                other ??= json.NameIs("alarms"u8) ? "alarm list" : json.NameIs("kvs"u8) || json.NameIs("count"u8) ? "get" : null;
                json.SkipValue();
            }
        }

        if (members is null && other is not null)
        {
            throw json.Error(EtcdctlParseErrorKind.WrongCommand, $"member list output (this is {other} output)");
        }

        if (header is null && members is null)
        {
            throw json.Error(EtcdctlParseErrorKind.Malformed, "a \"members\" array");
        }

        RejectForeignLines(text, text.LinesFrom(json.CheckEnd()), Command);
        return new EtcdctlMemberList(EtcdctlOutputFormat.Json, header, members ?? []);
    }

    private static EtcdMember ReadJsonMember(ref EtcdctlJson json)
    {
        ulong id = 0;
        var name = string.Empty;
        IReadOnlyList<string> peers = [], clients = [];
        var isLearner = false;
        var sawId = false;
        while (true)
        {
            json.Read("a member property or '}'");
            if (json.TokenType == JsonTokenType.EndObject)
            {
                return sawId ? new EtcdMember(id, name, peers, clients, isLearner) : throw json.Error(EtcdctlParseErrorKind.Malformed, "an \"ID\" in each member");
            }

            if (json.NameIs("ID"u8))
            {
                id = json.UInt64("ID as an unsigned 64-bit number");
                sawId = true;
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
    }

    private static EtcdctlMemberList ParseTable(OutputText text)
    {
        var table = TextTable.Read(text);
        RejectForeignLines(text, table.OtherLines, Command);
        var idColumn = table.Require("ID", Command);
        var nameColumn = table.Require("NAME", Command);
        var peerColumn = table.Require("PEER ADDRS", Command);
        var clientColumn = table.Require("CLIENT ADDRS", Command);
        var learnerColumn = table.IndexOf("IS LEARNER");
        var members = new List<EtcdMember>();
        foreach (var row in table.Rows)
        {
            var c = row.Cells;
            var id = HexId(text, row.Line, row.CellColumns[idColumn], c[idColumn], "a hex member ID such as 8e9e05c52164694d");
            var isLearner = learnerColumn >= 0 && c[learnerColumn].Length > 0 &&
                Boolean(text, row.Line, row.CellColumns[learnerColumn], c[learnerColumn], "true or false (IS LEARNER)");
            members.Add(new EtcdMember(id, c[nameColumn], SplitUrls(c[peerColumn]), SplitUrls(c[clientColumn]), isLearner));
        }

        return new EtcdctlMemberList(EtcdctlOutputFormat.Table, null, members);
    }

    private static EtcdctlMemberList ParseSimple(OutputText text)
    {
        var members = new List<EtcdMember>();
        foreach (var line in text.Lines)
        {
            var span = text[line];
            if (OutputLines.Classify(span) != LineKind.Content)
            {
                RejectForeignLines(text, [line], Command);
                continue;
            }

            var lead = span.Length - span.TrimStart().Length;
            var (parts, columns) = SplitSimple(span.Trim());
            // ID, STATUS, NAME, PEER ADDRS, CLIENT ADDRS[, IS LEARNER]
            if (parts.Length is not (5 or 6) || parts[1] is not ("started" or "unstarted"))
            {
                var other = CommandOfSimple(span);
                var isLast = line.Number == text.Lines[^1].Number || text.Lines.Where(l => l.Number > line.Number).All(l => OutputLines.Classify(text[l]) != LineKind.Content);
                throw text.Error(
                    other is not null && other != Command ? EtcdctlParseErrorKind.WrongCommand : isLast && parts.Length < 5 ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed,
                    line, lead + columns[^1], other is not null && other != Command ? $"member list output (this line is {other} output)" : "'ID, STATUS, NAME, PEER ADDRS, CLIENT ADDRS, IS LEARNER' (etcdctl -w simple)");
            }

            var id = HexId(text, line, lead + columns[0], parts[0], "a hex member ID such as 8e9e05c52164694d");
            var isLearner = parts.Length == 6 && Boolean(text, line, lead + columns[5], parts[5], "true or false (IS LEARNER)");
            members.Add(new EtcdMember(id, parts[2], SplitUrls(parts[3]), SplitUrls(parts[4]), isLearner));
        }

        return new EtcdctlMemberList(EtcdctlOutputFormat.Simple, null, members);
    }

    private static EtcdctlMemberList ParseFields(OutputText text)
    {
        var others = new List<TextLine>();
        var fields = FieldsText.Read(text, others);
        RejectForeignLines(text, others, Command);
        var records = FieldsText.Records(fields, "ID", out var prologue);
        var other = CommandOfFields(fields.Select(f => f.Key));
        if (other is not null && other != Command)
        {
            throw text.Error(EtcdctlParseErrorKind.WrongCommand, fields[0].Line, 0, $"member list output (this is {other} output)");
        }

        ResponseHeader? header = null;
        if (prologue.Count > 0)
        {
            ulong clusterId = 0, memberId = 0, raftTerm = 0;
            long revision = 0;
            foreach (var field in prologue)
            {
                switch (field.Key)
                {
                    case "ClusterID": clusterId = FieldsText.UInt64(text, field); break;
                    case "MemberID": memberId = FieldsText.UInt64(text, field); break;
                    case "Revision": revision = FieldsText.Int64(text, field); break;
                    case "RaftTerm": raftTerm = FieldsText.UInt64(text, field); break;
                }
            }

            header = new ResponseHeader(clusterId, memberId, revision, raftTerm);
        }

        var members = new List<EtcdMember>();
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            var id = FieldsText.UInt64(text, record[0]);
            var name = string.Empty;
            var peers = new List<string>();
            var clients = new List<string>();
            bool? isLearner = null;
            foreach (var field in record)
            {
                switch (field.Key)
                {
                    case "Name": name = FieldsText.Quoted(text, field); break;
                    case "PeerURL": peers.Add(FieldsText.Quoted(text, field)); break;
                    case "ClientURL": clients.Add(FieldsText.Quoted(text, field)); break;
                    case "IsLearner": isLearner = FieldsText.Boolean(text, field); break;
                }
            }

            if (isLearner is null && r == records.Count - 1)
            {
                var last = record[^1].Line;
                throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, last.Number, last.Length + 1, "an \"IsLearner\" line ending the member", "the end of the output"));
            }

            members.Add(new EtcdMember(id, name, peers, clients, isLearner ?? false));
        }

        return new EtcdctlMemberList(EtcdctlOutputFormat.Fields, header, members);
    }

    private static string[] SplitUrls(string cell) => cell.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
