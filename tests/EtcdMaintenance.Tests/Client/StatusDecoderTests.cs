using EtcdMaintenance.Tests.Transport;

namespace EtcdMaintenance.Tests.Client;

/// <summary>
/// How a status answer's protobuf bytes become an <see cref="EndpointStatus"/>, through the client's own path (its
/// channel, Grpc.Net.Client, the status method's own decoder, <see cref="StatusMethod.Decode"/>), against
/// bytes written here by hand from etcd's <c>rpc.proto</c> field numbers (etcd 3.6, <c>message StatusResponse</c>):
/// 1 header, 2 version, 3 dbSize, 4 leader, 5 raftIndex, 6 raftTerm, 7 raftAppliedIndex, 8 errors, 9 dbSizeInUse,
/// 10 isLearner, 11 storageVersion, 12 dbSizeQuota, 13 downgradeInfo; <c>ResponseHeader</c>: 1 cluster_id,
/// 2 member_id, 3 revision, 4 raft_term; <c>DowngradeInfo</c>: 1 enabled, 2 targetVersion.
/// </summary>
public sealed class StatusDecoderTests
{
    private const string Url = "http://10.0.0.1:2379";

    private static byte[] Varint(int field, ulong value)
    {
        var bytes = new List<byte> { (byte)(field << 3) };
        do
        {
            var b = (byte)(value & 0x7f);
            value >>= 7;
            bytes.Add(value == 0 ? b : (byte)(b | 0x80));
        }
        while (value != 0);
        return [.. bytes];
    }

    private static byte[] Bytes(int field, byte[] content) => [(byte)((field << 3) | 2), (byte)content.Length, .. content];

    private static byte[] Text(int field, string text) => Bytes(field, System.Text.Encoding.UTF8.GetBytes(text));

    private static async Task<EndpointStatus> StatusFromAsync(byte[] message, long? configuredQuota = null)
    {
        var handler = new CannedGrpc.Handler((path, _, _) =>
            path == "/etcdserverpb.Maintenance/Status" ? CannedGrpc.Answer(message) : throw new InvalidOperationException(path));
        await using var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [Url], QuotaBackendBytes = configuredQuota }, null, null, _ => handler);
        return await client.GetStatusAsync(EtcdEndpoint.Parse(Url));
    }

    private static byte[] Etcd34Fields() =>
    [
        .. Bytes(1, [.. Varint(1, 0xcf39_2a1b_6d11_5a2a), .. Varint(2, 0xbd8b_9c87_21cc_5cf4), .. Varint(3, 14), .. Varint(4, 2)]),
        .. Text(2, "3.6.5"),
        .. Varint(3, 16_834_560),
        .. Varint(4, 0xbd8b_9c87_21cc_5cf4),
        .. Varint(5, 22),
        .. Varint(6, 2),
        .. Varint(7, 21),
        .. Text(8, "memberID:13668033151171901709 alarm:NOSPACE "),
        .. Varint(9, 4_096_000),
    ];

    [Fact]
    public async Task Status_FromEtcd36Bytes_ReadsStorageVersionAndDbSizeQuota_AndIgnoresDowngradeInfo()
    {
        byte[] message =
        [
            .. Etcd34Fields(),
            .. Varint(10, 1),
            .. Text(11, "3.6.0"),
            .. Varint(12, 8UL << 30),
            .. Bytes(13, [.. Varint(1, 1), .. Text(2, "3.5.0")]),
        ];

        var status = await StatusFromAsync(message, configuredQuota: null);
        var overridden = await StatusFromAsync(message, configuredQuota: 2L << 30);

        Assert.Equal("3.6.0", status.StorageVersion);
        Assert.Equal(8L << 30, status.DbSizeQuota);
        Assert.Equal(EtcdQuotaSource.StatusResponse, status.QuotaSource);
        Assert.Equal(2L << 30, overridden.DbSizeQuota);   // an explicit option overrides what the member reports
        Assert.Equal(EtcdQuotaSource.Configured, overridden.QuotaSource);
        Assert.True(status.IsLearner);
        Assert.Equal("3.6.5", status.Version);
        Assert.Equal(Url, status.Endpoint);
        Assert.Equal(new MemberId(0xbd8b_9c87_21cc_5cf4), status.MemberId);
        Assert.Equal(new ResponseHeader(0xcf39_2a1b_6d11_5a2a, new MemberId(0xbd8b_9c87_21cc_5cf4), 14, 2), status.Header);
        Assert.Equal(16_834_560, status.DbSize);
        Assert.Equal(4_096_000, status.DbSizeInUse);
        Assert.Equal((22UL, 2UL, 21UL), (status.RaftIndex, status.RaftTerm, status.RaftAppliedIndex));
        Assert.Equal(["memberID:13668033151171901709 alarm:NOSPACE "], status.Errors);
    }

    [Fact]
    public async Task Status_FromEtcd34Bytes_HasNoStorageVersion_AndFallsBackOnTheConfiguredQuota()
    {
        var status = await StatusFromAsync(Etcd34Fields(), configuredQuota: 16L << 20);

        Assert.Null(status.StorageVersion);
        Assert.Equal(16L << 20, status.DbSizeQuota);
        Assert.Equal(EtcdQuotaSource.Configured, status.QuotaSource);
        Assert.False(status.IsLearner);
        Assert.Equal(16_834_560, status.DbSize);
    }

    [Fact]
    public async Task Status_WithFieldsNoEtcdVersionHasYet_SkipsThem()
    {
        // Field 99 as fixed64 and field 100 as a length-delimited blob.
        byte[] message = [.. Etcd34Fields(), 0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xa2, 0x06, 2, 9, 9];

        var status = await StatusFromAsync(message);

        Assert.Equal("3.6.5", status.Version);
        Assert.Null(status.DbSizeQuota);
    }

    [Fact]
    public async Task Status_FromMalformedBytes_IsAProtocolErrorNamingTheEndpoint()
    {
        var error = await Assert.ThrowsAsync<EtcdException>(() => StatusFromAsync([0x12, 0x05, 0x33]));   // version longer than the message

        Assert.Equal(EtcdErrorCode.ProtocolError, error.ErrorCode);
        Assert.Equal("Maintenance.Status", error.Operation);
        Assert.Contains(Url, error.Message, StringComparison.Ordinal);
    }
}
