using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>Parses <c>etcdctl endpoint hashkv</c> output in its four formats.</summary>
internal sealed class EndpointHashKvParser() : EtcdctlCommandParser("endpoint hashkv", LineKind.HashFailure)
{
    public static readonly EndpointHashKvParser Instance = new();

    protected override int ReadJson(EtcdctlText text, TextLine first, ReadOnlySpan<byte> utf8, int start)
    {
        // [{"Endpoint": "...", "HashKV": {"header": {...}, "hash": 1, "compact_revision": 2, "hash_revision": 3}}]
        var json = new EtcdctlJson(utf8, start, stackalloc JsonName[64]);
        json.Start(JsonTokenType.StartArray, "endpoint hashkv output, a JSON array of {\"Endpoint\", \"HashKV\"}");
        Span<JsonValue> values = stackalloc JsonValue[2];
        while (json.NextObject("an endpoint hash object or ']'", "an endpoint hash object"))
        {
            var other = json.ReadObject("Endpoint HashKV"u8, values, "a property name or '}'");
            var hash = values[1].Found ? ReadJsonHash(json.Object(values[1], "the HashKV object")) : null;
            var endpoint = json.String(values[0], "Endpoint as a JSON string");
            text.Add(first, hash is null || endpoint is null
                ? throw json.Error(other is null ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand,
                    other is null ? "\"Endpoint\" and a \"HashKV\" object in each entry" : $"endpoint hashkv output (this is {other} output)")
                : hash with { Endpoint = endpoint });
        }

        return json.CheckEnd();
    }

    private static EtcdctlHashKv ReadJsonHash(EtcdctlJson json)
    {
        Span<JsonValue> v = stackalloc JsonValue[4];
        json.ReadObject("header hash compact_revision hash_revision"u8, v, "a HashKV property or '}'");
        var header = v[0].Found ? StatusJson.ReadHeader(json.Object(v[0], "the header object")).ToHeader() : null;
        var hash = json.UInt64(v[1], "hash as an unsigned 32-bit number") is not { } value ? 0u
            : value <= uint.MaxValue ? (uint)value : throw json.ErrorAt(v[1], "hash as an unsigned 32-bit number");
        return new EtcdctlHashKv
        {
            Endpoint = string.Empty,
            Hash = hash,
            Header = header,
            Revision = header?.Revision,
            CompactRevision = json.Int64(v[2], "compact_revision as a 64-bit number") ?? 0,
            HashRevision = json.Int64(v[3], "hash_revision as a 64-bit number"),
        };
    }

    protected override void ReadTable(EtcdctlText text)
    {
        var table = EtcdctlTable.Read(text);
        table.Require("ENDPOINT", "HASH");
        foreach (var row in table.Rows)
        {
            var endpoint = row.Get("ENDPOINT");
            text.Add(endpoint.Line, new EtcdctlHashKv
            {
                Endpoint = endpoint.Value,
                Hash = text.UInt32(row.Get("HASH")),
                Revision = row.Optional("REVISION") is { } revision ? text.Int64(revision) : null,
                CompactRevision = row.Optional("COMPACT REVISION") is { } compact ? text.Int64(compact) : null,
                HashRevision = row.Optional("HASH REVISION") is { } hashRevision ? text.Int64(hashRevision) : null,
            });
        }
    }

    protected override void ReadSimple(EtcdctlText text)
    {
        foreach (var line in text.ContentLines())
        {
            // ENDPOINT, HASH (newer etcdctl may add columns after the hash; they are not read).
            var parts = text.Columns(line, "ENDPOINT", "HASH");
            var other = parts.Count < 2 || parts[0].Value.Length == 0 || parts.Count >= 5 ? text.CommandOfSimple(line) : null;
            if (parts.Count < 2 || parts[0].Value.Length == 0 || (other is not null && other != Command))
            {
                throw text.WrongCommandOr(other, line, parts[0].Column, "'ENDPOINT, HASH' (etcdctl -w simple)");
            }

            text.Add(line, new EtcdctlHashKv { Endpoint = parts[0].Value, Hash = text.UInt32(parts[1]) });
        }
    }

    protected override void ReadFields(EtcdctlText text)
    {
        var records = text.FieldRecords("ClusterID");
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            if (record.Find("Endpoint") is not { } endpoint || record.Find("Hash") is not { } hash)
            {
                throw text.Missing(record, r == records.Count - 1, "the \"Endpoint\" and \"Hash\" lines");
            }

            var revision = record.Find("Revision") is { } revisionCell ? text.Int64(revisionCell) : 0;
            text.Add(record[0].Line, new EtcdctlHashKv
            {
                Endpoint = text.Quoted(endpoint),
                Hash = text.UInt32(hash),
                Header = new ResponseHeader(text.UInt64(record[0]), record.Find("MemberID") is { } m ? text.UInt64(m) : 0, revision, record.Find("RaftTerm") is { } t ? text.UInt64(t) : 0),
                Revision = revision,
                CompactRevision = record.Find("CompactRevision") is { } compact ? text.Int64(compact) : null,
                HashRevision = record.Find("HashRevision") is { } hashRevision ? text.Int64(hashRevision) : null,
            });
        }
    }
}
