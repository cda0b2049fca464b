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

        string? endpoint = null;
        (JsonHeader Header, EndpointStatus? Status)? status = null;
        string? otherCommand = null;
        while (json.NextProperty("a property name or '}'"))
        {
            if (json.NameIs("Endpoint"u8))
            {
                endpoint = json.String("the endpoint as a JSON string", full);
            }
            else if (json.NameIs("Status"u8))
            {
                json.Expect(JsonTokenType.StartObject, "the Status object");
                status = ReadStatus(ref json, full);
            }
            else
            {
                json.SkipOther(ref otherCommand);
            }
        }

        if (status is not { } read)
        {
            throw otherCommand is null
                ? json.Error(EtcdctlParseErrorKind.Malformed, "a \"Status\" object in each endpoint entry")
                : json.Error(EtcdctlParseErrorKind.WrongCommand, $"endpoint status output (this is {otherCommand} output)");
        }

        entry = endpoint is null
            ? throw json.Error(EtcdctlParseErrorKind.Malformed, "an \"Endpoint\" in each endpoint entry")
            : new StatusJsonEntry(read.Status is { } built ? built with { Endpoint = endpoint } : null, read.Header.MemberId, read.Header.Revision, read.Header.HasRevision);
        return true;
    }

    /// <summary>Reads a Status object after its '{'; the status is built (its endpoint still empty) when <paramref name="full"/>.</summary>
    private static (JsonHeader Header, EndpointStatus? Status) ReadStatus(ref EtcdctlJson json, bool full)
    {
        JsonHeader? header = null;
        string version = string.Empty;
        long dbSize = 0;
        long? dbSizeInUse = null, quota = null;
        ulong leader = 0, raftIndex = 0, raftTerm = 0, raftAppliedIndex = 0;
        IReadOnlyList<string> errors = [];
        var isLearner = false;
        string? storageVersion = null;
        while (json.NextProperty("a Status property or '}'"))
        {
            if (json.NameIs("header"u8))
            {
                json.Expect(JsonTokenType.StartObject, "the header object");
                header = ReadHeader(ref json);
            }
            else if (json.NameIs("version"u8))
            {
                version = json.String("the version as a JSON string", full);
            }
            else if (json.NameIs("dbSize"u8))
            {
                dbSize = json.NonNegativeInt64("dbSize as a non-negative 64-bit number");
            }
            else if (json.NameIs("dbSizeInUse"u8))
            {
                dbSizeInUse = json.NonNegativeInt64("dbSizeInUse as a non-negative 64-bit number");
            }
            else if (json.NameIs("leader"u8))
            {
                leader = json.UInt64("leader as an unsigned 64-bit number");
            }
            else if (json.NameIs("raftIndex"u8))
            {
                raftIndex = json.UInt64("raftIndex as an unsigned 64-bit number");
            }
            else if (json.NameIs("raftTerm"u8))
            {
                raftTerm = json.UInt64("raftTerm as an unsigned 64-bit number");
            }
            else if (json.NameIs("raftAppliedIndex"u8))
            {
                raftAppliedIndex = json.UInt64("raftAppliedIndex as an unsigned 64-bit number");
            }
            else if (json.NameIs("errors"u8))
            {
                errors = json.StringArray("errors as an array of strings", full);
            }
            else if (json.NameIs("isLearner"u8))
            {
                isLearner = json.Boolean("isLearner as true or false");
            }
            else if (json.NameIs("storageVersion"u8))
            {
                var value = json.String("storageVersion as a JSON string", full);
                storageVersion = value.Length == 0 ? null : value;
            }
            else if (json.NameIs("dbSizeQuota"u8))
            {
                var value = json.NonNegativeInt64("dbSizeQuota as a non-negative 64-bit number");
                quota = value > 0 ? value : null;
            }
            else
            {
                json.SkipValue();
            }
        }

        if (header is not { } h)
        {
            throw json.Error(EtcdctlParseErrorKind.Malformed, "a \"header\" object in Status");
        }

        return (h, full ? new EndpointStatus(string.Empty, h.MemberId, version, dbSize, leader, raftIndex, raftTerm, raftAppliedIndex)
        {
            Header = h.ToHeader(),
            DbSizeInUse = dbSizeInUse,
            Errors = errors,
            IsLearner = isLearner,
            StorageVersion = storageVersion,
            DbSizeQuota = quota,
        } : null);
    }

    /// <summary>Reads a response header's members after its '{'. Fields etcd left at zero are omitted by Go's JSON encoder.</summary>
    public static JsonHeader ReadHeader(ref EtcdctlJson json)
    {
        ulong clusterId = 0, memberId = 0, raftTerm = 0;
        long revision = 0;
        var hasRevision = false;
        while (json.NextProperty("a header property or '}'"))
        {
            if (json.NameIs("cluster_id"u8))
            {
                clusterId = json.UInt64("cluster_id as an unsigned 64-bit number");
            }
            else if (json.NameIs("member_id"u8))
            {
                memberId = json.UInt64("member_id as an unsigned 64-bit number");
            }
            else if (json.NameIs("revision"u8))
            {
                revision = json.NonNegativeInt64("revision as a non-negative 64-bit number");
                hasRevision = true;
            }
            else if (json.NameIs("raft_term"u8))
            {
                raftTerm = json.UInt64("raft_term as an unsigned 64-bit number");
            }
            else
            {
                json.SkipValue();
            }
        }

        return new JsonHeader(clusterId, memberId, revision, raftTerm, hasRevision);
    }
}
