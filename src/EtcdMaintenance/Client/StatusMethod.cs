using System.Runtime.InteropServices;
using Etcdserverpb;
using Google.Protobuf;
using Grpc.Core;

namespace EtcdMaintenance;

/// <summary>
/// <c>Maintenance.Status</c> for one endpoint as its own gRPC <see cref="Method{TRequest, TResponse}"/>, whose response
/// marshaller reads etcd's <c>StatusResponse</c> bytes (Google.Protobuf's <see cref="CodedInputStream"/>, field numbers
/// from dotnet-etcd's generated <see cref="StatusResponse"/>) straight into the one <see cref="EndpointStatus"/> the
/// caller gets, the member's cached quota included: no generated message, no second record per status call. This is
/// the polling hot path; every other RPC uses dotnet-etcd's generated clients.
/// </summary>
internal sealed class StatusMethod
{
    private static readonly Marshaller<StatusRequest> s_request = Marshallers.Create<StatusRequest>(
        static (request, context) =>
        {
            context.SetPayloadLength(request.CalculateSize());
            request.WriteTo(context.GetBufferWriter());
            context.Complete();
        },
        static context => StatusRequest.Parser.ParseFrom(context.PayloadAsReadOnlySequence()));

    private readonly EtcdEndpoint _endpoint;
    private readonly long? _configuredQuota;
    private readonly MemberQuotaCache _quotas;

    public StatusMethod(EtcdEndpoint endpoint, long? configuredQuota, MemberQuotaCache quotas)
    {
        _endpoint = endpoint;
        _configuredQuota = configuredQuota;
        _quotas = quotas;
        Method = new Method<StatusRequest, EndpointStatus>(MethodType.Unary, "etcdserverpb.Maintenance", "Status", s_request,
            Marshallers.Create<EndpointStatus>(static (_, _) => throw new NotSupportedException("A status is never sent."), Decode));
    }

    public Method<StatusRequest, EndpointStatus> Method { get; }

    /// <summary>
    /// Reads one <c>StatusResponse</c> (etcd 3.4-3.6; fields etcd may add later are skipped). The quota is the configured
    /// one, else the one the member reports (3.6), else the member's reading from its metrics when the cache holds a fresh
    /// one; otherwise it stays <see cref="EtcdQuotaSource.Unknown"/> for <see cref="MemberQuotaCache.ApplyAsync"/> to read.
    /// </summary>
    internal EndpointStatus Decode(DeserializationContext context)
    {
        var payload = context.PayloadAsReadOnlySequence();
        var input = payload.IsSingleSegment && MemoryMarshal.TryGetArray(payload.First, out var segment)
            ? new CodedInputStream(segment.Array!, segment.Offset, segment.Count)
            : new CodedInputStream(context.PayloadAsNewBuffer());

        ulong clusterId = 0, headerMember = 0, raftTermHeader = 0, leader = 0, raftIndex = 0, raftTerm = 0, applied = 0;
        long revision = 0, dbSize = 0, dbSizeInUse = 0, reportedQuota = 0;
        string version = string.Empty, storageVersion = string.Empty;
        List<string>? errors = null;
        var isLearner = false;
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case StatusResponse.HeaderFieldNumber when WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited:
                    var end = input.ReadLength();
                    var start = input.Position;
                    uint headerTag;
                    while (input.Position - start < end && (headerTag = input.ReadTag()) != 0)
                    {
                        switch (WireFormat.GetTagFieldNumber(headerTag))
                        {
                            case Etcdserverpb.ResponseHeader.ClusterIdFieldNumber: clusterId = input.ReadUInt64(); break;
                            case Etcdserverpb.ResponseHeader.MemberIdFieldNumber: headerMember = input.ReadUInt64(); break;
                            case Etcdserverpb.ResponseHeader.RevisionFieldNumber: revision = input.ReadInt64(); break;
                            case Etcdserverpb.ResponseHeader.RaftTermFieldNumber: raftTermHeader = input.ReadUInt64(); break;
                            default: input.SkipLastField(); break;
                        }
                    }

                    break;
                case StatusResponse.VersionFieldNumber: version = input.ReadString(); break;
                case StatusResponse.DbSizeFieldNumber: dbSize = input.ReadInt64(); break;
                case StatusResponse.LeaderFieldNumber: leader = input.ReadUInt64(); break;
                case StatusResponse.RaftIndexFieldNumber: raftIndex = input.ReadUInt64(); break;
                case StatusResponse.RaftTermFieldNumber: raftTerm = input.ReadUInt64(); break;
                case StatusResponse.RaftAppliedIndexFieldNumber: applied = input.ReadUInt64(); break;
                case StatusResponse.ErrorsFieldNumber: (errors ??= []).Add(input.ReadString()); break;
                case StatusResponse.DbSizeInUseFieldNumber: dbSizeInUse = input.ReadInt64(); break;
                case StatusResponse.IsLearnerFieldNumber: isLearner = input.ReadBool(); break;
                case StatusResponse.StorageVersionFieldNumber: storageVersion = input.ReadString(); break;
                case StatusResponse.DbSizeQuotaFieldNumber: reportedQuota = input.ReadInt64(); break;
                default: input.SkipLastField(); break;
            }
        }

        var memberId = new MemberId(headerMember);
        long? quota = _configuredQuota ?? (reportedQuota > 0 ? reportedQuota : null);
        var source = _configuredQuota is not null ? EtcdQuotaSource.Configured : quota is not null ? EtcdQuotaSource.StatusResponse : EtcdQuotaSource.Unknown;
        string? unavailable = null;
        if (quota is null && _quotas.TryGetFresh(_endpoint, memberId, out var reading))
        {
            (quota, unavailable) = (reading.Quota, reading.Reason);
            source = quota is null ? EtcdQuotaSource.Unknown : EtcdQuotaSource.Metrics;
        }

        return new EndpointStatus(_endpoint.Text, memberId, version, dbSize, leader, raftIndex, raftTerm, applied)
        {
            Header = new ResponseHeader(clusterId, memberId, revision, raftTermHeader),
            DbSizeInUse = dbSizeInUse,
            Errors = errors is null ? [] : errors,
            IsLearner = isLearner,
            StorageVersion = storageVersion.Length == 0 ? null : storageVersion,
            DbSizeQuota = quota,
            QuotaSource = source,
            QuotaUnavailableReason = unavailable,
        };
    }
}
