using System.Text.Json;
using static EtcdMaintenance.Parsing.ParseSupport;

namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl endpoint hashkv</c> output in its four formats.</summary>
internal static class EndpointHashKvParser
{
    private const string Command = "endpoint hashkv";

    public static EtcdctlHashKvOutput Parse(string output, EtcdctlOutputFormat format)
    {
        var text = new OutputText(output);
        var ordered = new Ordered();
        var first = OutputLines.FirstContent(text);
        if (first is null)
        {
            AddFailures(text, text.Lines, LineKind.HashFailure, ordered, Command);
            var failures = ordered.ToList();
            return failures.Count > 0
                ? new EtcdctlHashKvOutput(format == EtcdctlOutputFormat.Auto ? EtcdctlOutputFormat.Simple : format, [], [.. failures.Cast<EtcdctlEndpointFailure>()])
                : throw NoOutput(text, "etcdctl endpoint hashkv output");
        }

        var detected = format == EtcdctlOutputFormat.Auto ? OutputLines.DetectFormat(text[first.Value]) : format;
        var hashes = detected switch
        {
            EtcdctlOutputFormat.Json => ParseJson(text, first.Value, ordered),
            EtcdctlOutputFormat.Table => ParseTable(text, ordered),
            EtcdctlOutputFormat.Fields => ParseFields(text, ordered),
            _ => ParseSimple(text, ordered),
        };
        return new EtcdctlHashKvOutput(detected, hashes, [.. ordered.ToList().Cast<EtcdctlEndpointFailure>()]);
    }

    private static List<EtcdctlHashKv> ParseJson(OutputText text, TextLine first, Ordered failures)
    {
        AddFailures(text, Before(text, first), LineKind.HashFailure, failures, Command);
        var json = new EtcdctlJson(text.Utf8, text.ByteOffset(first), stackalloc JsonName[64]);
        json.Read("a JSON array of endpoint hashes");
        if (json.TokenType != JsonTokenType.StartArray)
        {
            throw json.Error(json.TokenType == JsonTokenType.StartObject ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed,
                "endpoint hashkv output, a JSON array of {\"Endpoint\", \"HashKV\"}");
        }

        var results = new List<EtcdctlHashKv>();
        while (true)
        {
            json.Read("an endpoint hash object or ']'");
            if (json.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (json.TokenType != JsonTokenType.StartObject)
            {
                throw json.Error(EtcdctlParseErrorKind.Malformed, "an endpoint hash object");
            }

            string? endpoint = null, other = null;
            EtcdctlHashKv? hash = null;
            while (true)
            {
                json.Read("a property name or '}'");
                if (json.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (json.NameIs("Endpoint"u8))
                {
                    endpoint = json.String("Endpoint as a JSON string");
                }
                else if (json.NameIs("HashKV"u8))
                {
                    json.Expect(JsonTokenType.StartObject, "the HashKV object");
                    hash = ReadJsonHash(ref json);
                }
                else
                {
                    other ??= json.NameIs("Status"u8) ? "endpoint status" : json.NameIs("health"u8) ? "endpoint health" : null;
                    json.SkipValue();
                }
            }

            if (hash is null || endpoint is null)
            {
                throw json.Error(other is null ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand,
                    other is null ? "\"Endpoint\" and a \"HashKV\" object in each entry" : $"endpoint hashkv output (this is {other} output)");
            }

            results.Add(hash with { Endpoint = endpoint });
        }

        AddFailures(text, text.LinesFrom(json.CheckEnd()), LineKind.HashFailure, failures, Command);
        return results;
    }

    private static EtcdctlHashKv ReadJsonHash(ref EtcdctlJson json)
    {
        ResponseHeader? header = null;
        uint hash = 0;
        long? compact = null, hashRevision = null;
        while (true)
        {
            json.Read("a HashKV property or '}'");
            if (json.TokenType == JsonTokenType.EndObject)
            {
                return new EtcdctlHashKv(string.Empty, hash) { Header = header, Revision = header?.Revision, CompactRevision = compact ?? 0, HashRevision = hashRevision };
            }

            if (json.NameIs("header"u8))
            {
                json.Expect(JsonTokenType.StartObject, "the header object");
                header = StatusJson.ReadHeader(ref json).ToHeader();
            }
            else if (json.NameIs("hash"u8))
            {
                var value = json.UInt64("hash as an unsigned 32-bit number");
                hash = value <= uint.MaxValue ? (uint)value : throw json.Error(EtcdctlParseErrorKind.Malformed, "hash as an unsigned 32-bit number");
            }
            else if (json.NameIs("compact_revision"u8))
            {
                compact = json.Int64("compact_revision as a 64-bit number");
            }
            else if (json.NameIs("hash_revision"u8))
            {
                hashRevision = json.Int64("hash_revision as a 64-bit number");
            }
            else
            {
                json.SkipValue();
            }
        }
    }

    private static List<EtcdctlHashKv> ParseTable(OutputText text, Ordered failures)
    {
        var table = TextTable.Read(text);
        AddFailures(text, table.OtherLines, LineKind.HashFailure, failures, Command);
        var endpointColumn = table.IndexOf("ENDPOINT");
        var hashColumn = table.IndexOf("HASH");
        if (endpointColumn < 0 || hashColumn < 0)
        {
            throw MissingColumn(table.HeaderLine.Number, table.Headers, Command, "columns named ENDPOINT and HASH");
        }

        var revisionColumn = table.IndexOf("REVISION");
        var compactColumn = table.IndexOf("COMPACT REVISION");
        var hashRevisionColumn = table.IndexOf("HASH REVISION");
        var results = new List<EtcdctlHashKv>();
        foreach (var row in table.Rows)
        {
            var c = row.Cells;
            long? Optional(int column, string what) => column >= 0 && c[column].Length > 0
                ? Int64(text, row.Line, row.CellColumns[column], c[column], what)
                : null;
            var hash = UInt32(text, row.Line, row.CellColumns[hashColumn], c[hashColumn], "an unsigned 32-bit number (HASH)");
            results.Add(new EtcdctlHashKv(c[endpointColumn], hash)
            {
                Revision = Optional(revisionColumn, "a number (REVISION)"),
                CompactRevision = Optional(compactColumn, "a number (COMPACT REVISION)"),
                HashRevision = Optional(hashRevisionColumn, "a number (HASH REVISION)"),
            });
        }

        return results;
    }

    private static List<EtcdctlHashKv> ParseSimple(OutputText text, Ordered failures)
    {
        var results = new List<EtcdctlHashKv>();
        foreach (var line in text.Lines)
        {
            var span = text[line];
            if (OutputLines.Classify(span) != LineKind.Content)
            {
                AddFailures(text, [line], LineKind.HashFailure, failures, Command);
                continue;
            }

            // ENDPOINT, HASH (newer etcdctl may add columns after the hash; they are not read).
            var lead = span.Length - span.TrimStart().Length;
            var (parts, columns) = SplitSimple(span.Trim());
            if (parts.Length < 2 || parts[0].Length == 0)
            {
                var other = CommandOfSimple(span);
                throw text.Error(other is not null ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, line, lead,
                    other is not null ? $"endpoint hashkv output (this line is {other} output)" : "'ENDPOINT, HASH' (etcdctl -w simple)");
            }

            if (parts.Length >= 5 && CommandOfSimple(span) is { } command && command != Command)
            {
                throw text.Error(EtcdctlParseErrorKind.WrongCommand, line, lead, $"endpoint hashkv output (this line is {command} output)");
            }

            var hash = UInt32(text, line, lead + columns[1], parts[1], "an unsigned 32-bit hash");
            results.Add(new EtcdctlHashKv(parts[0], hash));
        }

        return results;
    }

    private static List<EtcdctlHashKv> ParseFields(OutputText text, Ordered failures)
    {
        var others = new List<TextLine>();
        var fields = FieldsText.Read(text, others);
        AddFailures(text, others, LineKind.HashFailure, failures, Command);
        var records = FieldsText.Records(fields, "ClusterID", out var prologue);
        var other = CommandOfFields(fields.Select(f => f.Key));
        if (prologue.Count > 0 || records.Count == 0 || (other is not null && other != Command))
        {
            throw text.Error(other is not null && other != Command ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, fields[0].Line, 0,
                other is not null && other != Command ? $"endpoint hashkv output (this is {other} output)" : "a record starting with \"ClusterID\"");
        }

        var results = new List<EtcdctlHashKv>();
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            ulong clusterId = 0, memberId = 0, raftTerm = 0;
            long revision = 0;
            long? compact = null, hashRevision = null;
            string? endpoint = null;
            uint? hash = null;
            foreach (var field in record)
            {
                switch (field.Key)
                {
                    case "ClusterID": clusterId = FieldsText.UInt64(text, field); break;
                    case "MemberID": memberId = FieldsText.UInt64(text, field); break;
                    case "Revision": revision = FieldsText.Int64(text, field); break;
                    case "RaftTerm": raftTerm = FieldsText.UInt64(text, field); break;
                    case "Endpoint": endpoint = FieldsText.Quoted(text, field); break;
                    case "Hash":
                        var value = FieldsText.UInt64(text, field);
                        hash = value <= uint.MaxValue ? (uint)value : throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, "an unsigned 32-bit hash");
                        break;
                    case "CompactRevision": compact = FieldsText.Int64(text, field); break;
                    case "HashRevision": hashRevision = FieldsText.Int64(text, field); break;
                }
            }

            if (endpoint is null || hash is null)
            {
                var last = record[^1].Line;
                throw r == records.Count - 1
                    ? new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, last.Number, last.Length + 1, "the \"Endpoint\" and \"Hash\" lines of the endpoint", "the end of the output"))
                    : text.Error(EtcdctlParseErrorKind.Malformed, record[0].Line, 0, "\"Endpoint\" and \"Hash\" lines in the record starting here");
            }

            results.Add(new EtcdctlHashKv(endpoint, hash.Value)
            {
                Header = new ResponseHeader(clusterId, memberId, revision, raftTerm),
                Revision = revision,
                CompactRevision = compact,
                HashRevision = hashRevision,
            });
        }

        return results;
    }
}
