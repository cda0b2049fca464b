using System.Text;
using EtcdMaintenance.Transport;

namespace EtcdMaintenance;

/// <summary>
/// Decodes etcd's <c>StatusResponse</c> bytes straight into an <see cref="EndpointStatus"/>: the status-polling hot path
/// skips the generated message, its header and its error list. Gives exactly what
/// <see cref="EtcdMaintenanceClient.ToStatus(EtcdEndpoint, Wire.StatusResponse, long?)"/> gives for the parsed message
/// (a property test holds it to that); unknown fields, such as 3.6's <c>downgradeInfo</c>, are skipped.
/// </summary>
internal static class StatusDecoder
{
    /// <summary>The last version string seen: every member of a cluster answers the same one, call after call.</summary>
    private static CachedText? s_version;

    /// <summary>The decoder in the shape the transport takes.</summary>
    public static readonly MessageDecoder<(EtcdEndpoint Endpoint, long? ConfiguredQuota), EndpointStatus> Decoder =
        static (message, state) => Decode(message, state.Endpoint, state.ConfiguredQuota);

    public static EndpointStatus Decode(ReadOnlySpan<byte> message, EtcdEndpoint endpoint, long? configuredQuota)
    {
        ulong clusterId = 0, memberId = 0, headerTerm = 0, leader = 0, raftIndex = 0, raftTerm = 0, appliedIndex = 0;
        long revision = 0, dbSize = 0, dbSizeInUse = 0, dbSizeQuota = 0;
        var isLearner = false;
        var version = string.Empty;
        var storageVersion = string.Empty;
        List<string>? errors = null;

        var reader = new ProtoReader(message);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtoReader.LengthDelimited):
                    ReadHeader(reader.ReadLengthDelimited(), ref clusterId, ref memberId, ref revision, ref headerTerm);
                    break;
                case (2, ProtoReader.LengthDelimited):
                    version = Version(reader.ReadLengthDelimited());
                    break;
                case (3, ProtoReader.Varint):
                    dbSize = (long)reader.ReadVarint();
                    break;
                case (4, ProtoReader.Varint):
                    leader = reader.ReadVarint();
                    break;
                case (5, ProtoReader.Varint):
                    raftIndex = reader.ReadVarint();
                    break;
                case (6, ProtoReader.Varint):
                    raftTerm = reader.ReadVarint();
                    break;
                case (7, ProtoReader.Varint):
                    appliedIndex = reader.ReadVarint();
                    break;
                case (8, ProtoReader.LengthDelimited):
                    (errors ??= []).Add(Encoding.UTF8.GetString(reader.ReadLengthDelimited()));
                    break;
                case (9, ProtoReader.Varint):
                    dbSizeInUse = (long)reader.ReadVarint();
                    break;
                case (10, ProtoReader.Varint):
                    isLearner = reader.ReadVarint() != 0;
                    break;
                case (11, ProtoReader.LengthDelimited):
                    storageVersion = Encoding.UTF8.GetString(reader.ReadLengthDelimited());
                    break;
                case (12, ProtoReader.Varint):
                    dbSizeQuota = (long)reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }

        var header = new ResponseHeader(clusterId, memberId, revision, headerTerm);
        return new EndpointStatus(endpoint.Text, header.MemberId, version, dbSize, leader, raftIndex, raftTerm, appliedIndex)
        {
            Header = header,
            DbSizeInUse = dbSizeInUse,
            Errors = errors is null ? [] : errors.ToArray(),
            IsLearner = isLearner,
            StorageVersion = storageVersion.Length == 0 ? null : storageVersion,
            DbSizeQuota = configuredQuota ?? (dbSizeQuota > 0 ? dbSizeQuota : null),
            QuotaSource = configuredQuota is not null ? EtcdQuotaSource.Configured : dbSizeQuota > 0 ? EtcdQuotaSource.StatusResponse : EtcdQuotaSource.Unknown,
        };
    }

    private static void ReadHeader(ReadOnlySpan<byte> bytes, ref ulong clusterId, ref ulong memberId, ref long revision, ref ulong raftTerm)
    {
        // Repeated occurrences of an embedded message merge, field by field, as protobuf specifies.
        var reader = new ProtoReader(bytes);
        while (reader.TryReadTag(out var field, out var wireType))
        {
            switch ((field, wireType))
            {
                case (1, ProtoReader.Varint):
                    clusterId = reader.ReadVarint();
                    break;
                case (2, ProtoReader.Varint):
                    memberId = reader.ReadVarint();
                    break;
                case (3, ProtoReader.Varint):
                    revision = (long)reader.ReadVarint();
                    break;
                case (4, ProtoReader.Varint):
                    raftTerm = reader.ReadVarint();
                    break;
                default:
                    reader.Skip(wireType);
                    break;
            }
        }
    }

    private static string Version(ReadOnlySpan<byte> utf8)
    {
        var cached = Volatile.Read(ref s_version);
        if (cached is not null && utf8.SequenceEqual(cached.Utf8))
        {
            return cached.Text;
        }

        var text = Encoding.UTF8.GetString(utf8);
        if (utf8.Length <= 64)
        {
            Volatile.Write(ref s_version, new CachedText(utf8.ToArray(), text));
        }

        return text;
    }

    private sealed record CachedText(byte[] Utf8, string Text);
}
