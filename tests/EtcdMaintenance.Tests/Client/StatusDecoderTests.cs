using EtcdMaintenance.Wire;
using FsCheck;
using FsCheck.Fluent;
using Google.Protobuf;

namespace EtcdMaintenance.Tests.Client;

/// <summary>The hand-written status decoder against Google.Protobuf's parser of the same bytes.</summary>
public sealed class StatusDecoderTests
{
    private static readonly EtcdEndpoint s_endpoint = EtcdEndpoint.Parse("http://10.0.0.1:2379");

    private static Gen<StatusResponse> StatusResponses()
    {
        var text = ArbMap.Default.GeneratorFor<string>().Select(s => s ?? string.Empty);
        var u64 = ArbMap.Default.GeneratorFor<ulong>();
        var i64 = ArbMap.Default.GeneratorFor<long>();
        var header =
            from clusterId in u64
            from memberId in u64
            from revision in i64
            from term in u64
            from present in ArbMap.Default.GeneratorFor<bool>()
            select present ? new Wire.ResponseHeader { ClusterId = clusterId, MemberId = memberId, Revision = revision, RaftTerm = term } : null;
        return
            from h in header
            from version in text
            from dbSize in i64
            from inUse in i64
            from quota in i64
            from raftIndex in u64
            from raftTerm in u64
            from applied in u64
            from leader in u64
            from errors in text.ListOf()
            from learner in ArbMap.Default.GeneratorFor<bool>()
            from storageVersion in text
            select Build(h, version, (dbSize, inUse, quota), (raftIndex, raftTerm, applied), leader, errors, learner, storageVersion);
    }

    private static StatusResponse Build(Wire.ResponseHeader? header, string version, (long, long, long) sizes, (ulong, ulong, ulong) raft, ulong leader,
        IEnumerable<string> errors, bool learner, string storageVersion)
    {
        var response = new StatusResponse
        {
            Header = header,
            Version = version,
            DbSize = sizes.Item1,
            DbSizeInUse = sizes.Item2,
            DbSizeQuota = sizes.Item3,
            RaftIndex = raft.Item1,
            RaftTerm = raft.Item2,
            RaftAppliedIndex = raft.Item3,
            Leader = leader,
            IsLearner = learner,
            StorageVersion = storageVersion,
        };
        response.Errors.Add(errors);
        return response;
    }

    private static void AssertSame(EndpointStatus expected, EndpointStatus actual)
    {
        Assert.Equal(expected with { Errors = [] }, actual with { Errors = [] });
        Assert.Equal(expected.Errors, actual.Errors);
    }

    [Fact]
    public void Decode_OfAnyStatusResponse_EqualsTheConversionOfGoogleProtobufsParse()
    {
        Prop.ForAll(StatusResponses().ToArbitrary(), ArbMap.Default.ArbFor<long?>(), (response, quota) =>
        {
            var bytes = response.ToByteArray();
            var expected = EtcdMaintenanceClient.ToStatus(s_endpoint, StatusResponse.Parser.ParseFrom(bytes), quota);

            var actual = StatusDecoder.Decode(bytes, s_endpoint, quota);

            AssertSame(expected, actual);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Decode_SkipsFieldsItDoesNotKnow_LikeEtcd36sDowngradeInfo()
    {
        var response = new StatusResponse { Version = "3.6.0", DbSize = 4096, DowngradeInfo = new DowngradeInfo { Enabled = true, TargetVersion = "3.5.0" } };
        // Then field 99 as fixed64 and field 100 as fixed32: numbers no etcd version uses.
        byte[] withUnknown = [.. response.ToByteArray(), 0x99, 0x06, 1, 2, 3, 4, 5, 6, 7, 8, 0xa5, 0x06, 9, 9, 9, 9];

        var status = StatusDecoder.Decode(withUnknown, s_endpoint, null);

        Assert.Equal("3.6.0", status.Version);
        Assert.Equal(4096, status.DbSize);
    }

    [Fact]
    public void Decode_MergesARepeatedHeaderFieldByField_AsProtobufDoes()
    {
        var first = new StatusResponse { Header = new Wire.ResponseHeader { ClusterId = 7, Revision = 10 } }.ToByteArray();
        var second = new StatusResponse { Header = new Wire.ResponseHeader { Revision = 11, MemberId = 3 } }.ToByteArray();
        byte[] both = [.. first, .. second];

        var status = StatusDecoder.Decode(both, s_endpoint, null);

        Assert.Equal(EtcdMaintenanceClient.ToStatus(s_endpoint, StatusResponse.Parser.ParseFrom(both), null) with { Errors = [] }, status with { Errors = [] });
        Assert.Equal(new ResponseHeader(7, new MemberId(3), 11, 0), status.Header);
    }

    [Theory]
    [InlineData(new byte[] { 0x18 })]                    // dbSize tag with no value
    [InlineData(new byte[] { 0x12, 0x05, 0x33 })]        // version longer than the message
    [InlineData(new byte[] { 0x18, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 })] // 11-byte varint
    [InlineData(new byte[] { 0x00, 0x01 })]              // field number 0
    [InlineData(new byte[] { 0x1b })]                    // wire type 3 (groups) is not supported
    public void Decode_OfMalformedBytes_ThrowsInvalidData(byte[] bytes)
    {
        Assert.Throws<InvalidDataException>(() => StatusDecoder.Decode(bytes, s_endpoint, null));
    }

    [Fact]
    public void Decode_ReusesTheVersionStringOfTheLastAnswer()
    {
        var bytes = new StatusResponse { Version = "3.4.23-reuse" }.ToByteArray();

        var first = StatusDecoder.Decode(bytes, s_endpoint, null);
        var second = StatusDecoder.Decode(bytes, s_endpoint, null);

        Assert.Same(first.Version, second.Version);
    }
}
