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

        while (json.NextObject("an endpoint hash object or ']'", "an endpoint hash object"))
        {
            string? endpoint = null, other = null;
            EtcdctlHashKv? hash = null;
            while (json.NextProperty("a property name or '}'"))
            {
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
                    json.SkipOther(ref other);
                }
            }

            text.Add(first, hash is null || endpoint is null
                ? throw json.Error(other is null ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand,
                    other is null ? "\"Endpoint\" and a \"HashKV\" object in each entry" : $"endpoint hashkv output (this is {other} output)")
                : hash with { Endpoint = endpoint });
        }

        return json.CheckEnd();
    }

    private static EtcdctlHashKv ReadJsonHash(ref EtcdctlJson json)
    {
        ResponseHeader? header = null;
        uint hash = 0;
        long? compact = null, hashRevision = null;
        while (json.NextProperty("a HashKV property or '}'"))
        {
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

        return new EtcdctlHashKv { Endpoint = string.Empty, Hash = hash, Header = header, Revision = header?.Revision, CompactRevision = compact ?? 0, HashRevision = hashRevision };
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
