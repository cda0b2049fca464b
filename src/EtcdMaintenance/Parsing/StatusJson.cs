using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>One entry of <c>etcdctl endpoint status -w json</c>: the status when read in full, the header's numbers always.</summary>
internal readonly record struct StatusJsonEntry(EndpointStatus? Status, MemberId MemberId, long Revision, bool HasRevision);

/// <summary>A response header's numbers as read from JSON; <see cref="HasRevision"/> says whether the revision was printed.</summary>
internal readonly record struct JsonHeader(ulong ClusterId, ulong MemberId, long Revision, ulong RaftTerm, bool HasRevision)
{
    public ResponseHeader ToHeader() => new(ClusterId, MemberId, Revision, RaftTerm);
}

/// <summary>
/// Reads <c>etcdctl endpoint status -w json</c> (etcdctl 3.4-3.6): an array of
/// <c>{"Endpoint": "...", "Status": {"header": {...}, "version": ..., ...}}</c>. The full parse and the revision
/// projection are the same walk: every byte and every known value is checked either way; the projection just builds no
/// strings or records, so it allocates nothing.
/// </summary>
internal static class StatusJson
{
    /// <summary>The values of a Status object, kept until the entry's endpoint is known.</summary>
    private readonly record struct StatusValues(
        JsonHeader Header, string Version, long DbSize, long? DbSizeInUse, long? Quota, ulong Leader, ulong RaftIndex, ulong RaftTerm,
        ulong RaftAppliedIndex, IReadOnlyList<string> Errors, bool IsLearner, string? StorageVersion)
    {
        public EndpointStatus ToStatus(string endpoint) => new(endpoint, Header.MemberId, Version, DbSize, Leader, RaftIndex, RaftTerm, RaftAppliedIndex)
        {
            Header = Header.ToHeader(),
            DbSizeInUse = DbSizeInUse,
            Errors = Errors,
            IsLearner = IsLearner,
            StorageVersion = StorageVersion,
            DbSizeQuota = Quota,
        };
    }

    /// <summary>Reads the opening <c>[</c>.</summary>
    public static void Begin(ref EtcdctlJson json)
    {
        json.Start(JsonTokenType.StartArray, "endpoint status output, a JSON array of {\"Endpoint\", \"Status\"}");
    }

    /// <summary>Reads the next entry; <see langword="false"/> at the closing <c>]</c>.</summary>
    /// <param name="json">The reader, inside the array.</param>
    /// <param name="full">Whether to build the <see cref="EndpointStatus"/> (else only the header's member ID and revision are kept).</param>
    /// <param name="entry">The entry read.</param>
    public static bool Next(ref EtcdctlJson json, bool full, out StatusJsonEntry entry)
    {
        entry = default;
        if (!json.NextObject("an endpoint status object or ']'", "an endpoint status object {\"Endpoint\": ..., \"Status\": {...}}"))
        {
            return false;
        }

        Span<JsonValue> values = stackalloc JsonValue[2];
        var otherCommand = json.ReadObject("Endpoint Status"u8, values, "a property name or '}'");
        if (!values[1].Found)
        {
            throw otherCommand is null
                ? json.Error(EtcdctlParseErrorKind.Malformed, "a \"Status\" object in each endpoint entry")
                : json.Error(EtcdctlParseErrorKind.WrongCommand, $"endpoint status output (this is {otherCommand} output)");
        }

        var read = ReadStatus(json.Object(values[1], "the Status object"), full);
        var endpoint = json.String(values[0], "the endpoint as a JSON string", full) ?? throw json.Error(EtcdctlParseErrorKind.Malformed, "an \"Endpoint\" in each endpoint entry");
        entry = new StatusJsonEntry(full ? read.ToStatus(endpoint) : null, read.Header.MemberId, read.Header.Revision, read.Header.HasRevision);
        return true;
    }

    private static StatusValues ReadStatus(EtcdctlJson json, bool full)
    {
        Span<JsonValue> v = stackalloc JsonValue[12];
        json.ReadObject("header version dbSize dbSizeInUse leader raftIndex raftTerm raftAppliedIndex errors isLearner storageVersion dbSizeQuota"u8, v, "a Status property or '}'");
        JsonHeader? header = v[0].Found ? ReadHeader(json.Object(v[0], "the header object")) : null;
        var values = new StatusValues(
            default,
            json.String(v[1], "the version as a JSON string", full) ?? string.Empty,
            json.NonNegativeInt64(v[2], "dbSize as a non-negative 64-bit number") ?? 0,
            json.NonNegativeInt64(v[3], "dbSizeInUse as a non-negative 64-bit number"),
            json.NonNegativeInt64(v[11], "dbSizeQuota as a non-negative 64-bit number") is > 0 and var quota ? quota : null,
            json.UInt64(v[4], "leader as an unsigned 64-bit number") ?? 0,
            json.UInt64(v[5], "raftIndex as an unsigned 64-bit number") ?? 0,
            json.UInt64(v[6], "raftTerm as an unsigned 64-bit number") ?? 0,
            json.UInt64(v[7], "raftAppliedIndex as an unsigned 64-bit number") ?? 0,
            json.StringArray(v[8], "errors as an array of strings", full) ?? [],
            json.Boolean(v[9], "isLearner as true or false") ?? false,
            json.String(v[10], "storageVersion as a JSON string", full) is { Length: > 0 } storageVersion ? storageVersion : null);
        return header is { } h ? values with { Header = h } : throw json.Error(EtcdctlParseErrorKind.Malformed, "a \"header\" object in Status");
    }

    /// <summary>Reads a response header's members after its '{'. Fields etcd left at zero are omitted by Go's JSON encoder.</summary>
    public static JsonHeader ReadHeader(EtcdctlJson json)
    {
        Span<JsonValue> v = stackalloc JsonValue[4];
        json.ReadObject("cluster_id member_id revision raft_term"u8, v, "a header property or '}'");
        return new JsonHeader(
            json.UInt64(v[0], "cluster_id as an unsigned 64-bit number") ?? 0,
            json.UInt64(v[1], "member_id as an unsigned 64-bit number") ?? 0,
            json.NonNegativeInt64(v[2], "revision as a non-negative 64-bit number") ?? 0,
            json.UInt64(v[3], "raft_term as an unsigned 64-bit number") ?? 0,
            v[2].Found);
    }
}
