using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Tests.Parsing;

public sealed class OtherCommandsParsingTests
{
    private static readonly MemberId s_n1 = new(18219664082543276670);
    private static readonly MemberId s_n2 = new(9097235633941348612);
    private static readonly MemberId s_n3 = new(6081241627645528578);

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("simple")]
    [InlineData("fields")]
    public void ParseMemberList_RealCaptureInEveryFormat_ReadsTheThreeMembers(string format)
    {
        var list = EtcdctlOutput.ParseMemberList(Fixtures.Real("member-list", format));

        Assert.Equal(Enum.Parse<EtcdctlOutputFormat>(format, ignoreCase: true), list.Format);
        Assert.Equal([s_n3, s_n2, s_n1], list.Members.Select(m => m.Id));
        var n1 = list.Find(s_n1)!;
        Assert.Equal("n1", n1.Name);
        Assert.Equal(["http://127.0.0.1:40015"], n1.PeerUrls);
        Assert.Equal(["http://127.0.0.1:45777"], n1.ClientUrls);
        Assert.False(n1.IsLearner);
        Assert.True(n1.IsStarted);
    }

    [Theory]
    [InlineData("json", 0L)]
    [InlineData("fields", 0L)]
    public void ParseMemberList_JsonAndFields_ReadTheHeader(string format, long revision)
    {
        var list = EtcdctlOutput.ParseMemberList(Fixtures.Real("member-list", format));

        Assert.Equal(10037665787617233566UL, list.Header!.ClusterId);
        Assert.Equal(revision, list.Header.Revision);
        Assert.Equal(2UL, list.Header.RaftTerm);
    }

    [Fact]
    public void ParseMemberList_TableWithAnUnstartedLearnerAndTwoPeerUrls_ReadsThemAll()
    {
        const string table = """
            +------------------+-----------+------+-----------------------------------------------+------------------------+------------+
            |        ID        |  STATUS   | NAME |                  PEER ADDRS                   |      CLIENT ADDRS      | IS LEARNER |
            +------------------+-----------+------+-----------------------------------------------+------------------------+------------+
            | 5464e90a61214a02 |   started |   n3 |                        http://127.0.0.1:39439 | http://127.0.0.1:44517 |      false |
            | 8211f1d0f64f3269 | unstarted |      | http://10.0.0.4:2380,http://[fd00::4]:2380    |                        |       true |
            +------------------+-----------+------+-----------------------------------------------+------------------------+------------+
            """;

        var list = EtcdctlOutput.ParseMemberList(table);

        var added = list.Members[1];
        Assert.False(added.IsStarted);
        Assert.True(added.IsLearner);
        Assert.Empty(added.ClientUrls);
        Assert.Equal(["http://10.0.0.4:2380", "http://[fd00::4]:2380"], added.PeerUrls);
        Assert.Null(list.Header);
    }

    [Fact]
    public void ParseMemberList_GivenEndpointStatus_SaysItIsAnotherCommand()
    {
        Assert.False(EtcdctlOutput.TryParseMemberList(Fixtures.Real("endpoint-status", "table"), EtcdctlOutputFormat.Auto, out _, out var error));

        Assert.Equal(EtcdctlParseErrorKind.WrongCommand, error.Kind);
        Assert.Contains("endpoint status", error.Expected, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("simple")]
    [InlineData("json")]
    public void ParseAlarmList_RealCapture_ReadsTheNoSpaceAlarmWithItsDecimalMemberId(string format)
    {
        var alarm = Assert.Single(EtcdctlOutput.ParseAlarmList(Fixtures.Real("alarm-list", format)));

        Assert.Equal(new EtcdAlarm(s_n1, EtcdAlarmType.NoSpace), alarm);
    }

    [Fact]
    public void ParseAlarmList_Empty_IsNoAlarm()
    {
        Assert.Empty(EtcdctlOutput.ParseAlarmList(string.Empty));
        Assert.Empty(EtcdctlOutput.ParseAlarmList("""{"header":{"cluster_id":1,"member_id":2,"revision":5,"raft_term":2}}"""));
    }

    [Fact]
    public void ParseAlarmList_OnlyEtcdctlsErrorLine_IsNotMistakenForNoAlarm()
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseAlarmList("Error: context deadline exceeded\n"));

        Assert.Equal(EtcdctlParseErrorKind.Empty, ex.Kind);
        Assert.Equal(1, ex.Line);
    }

    [Fact]
    public void ParseAlarmList_Fields_PairsEachMemberIdWithItsAlarmType()
    {
        const string fields = """
            "ClusterID" : 14841639068965178418
            "MemberID" : 10276657743932975437
            "Revision" : 12
            "RaftTerm" : 2
            "MemberID" : 10276657743932975437
            "AlarmType" : NOSPACE

            "MemberID" : 4
            "AlarmType" : CORRUPT

            """;

        var alarms = EtcdctlOutput.ParseAlarmList(fields);

        Assert.Equal([new EtcdAlarm(10276657743932975437, EtcdAlarmType.NoSpace), new EtcdAlarm(4, EtcdAlarmType.Corrupt)], alarms);
    }

    [Fact]
    public void ParseAlarmList_AsATable_IsAnUnsupportedFormat()
    {
        Assert.False(EtcdctlOutput.TryParseAlarmList(Fixtures.Real("member-list", "table"), EtcdctlOutputFormat.Auto, out _, out var error));

        Assert.Equal(EtcdctlParseErrorKind.UnsupportedFormat, error.Kind);
    }

    [Fact]
    public void ParseAlarmList_WithAnUnknownAlarmType_PointsAtIt()
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseAlarmList("memberID:1 alarm:NOSPACE \nmemberID:2 alarm:BOGUS \n"));

        Assert.Equal(2, ex.Line);
        Assert.Equal(18, ex.Column);
    }

    [Theory]
    [InlineData("json", false)]
    [InlineData("table", false)]
    [InlineData("fields", false)]
    [InlineData("simple", true)]
    public void ParseEndpointHealth_RealCapture_FindsTwoHealthyAndTheStoppedOneUnhealthy(string format, bool onStandardError)
    {
        var text = onStandardError ? Fixtures.Read($"etcd-3.4.23/endpoint-health.{format}.stderr.txt") : Fixtures.Real("endpoint-health", format);

        var health = EtcdctlOutput.ParseEndpointHealth(text);

        Assert.Equal(3, health.Count);
        var down = Assert.Single(health, h => !h.IsHealthy);
        Assert.Equal("http://127.0.0.1:45777", down.Endpoint);
        Assert.Equal("context deadline exceeded", down.Error);
        Assert.All(health.Where(h => h.IsHealthy), h => Assert.Null(h.Error));
        Assert.All(health.Where(h => h.IsHealthy), h => Assert.InRange(h.Took!.Value, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(10)));
    }

    [Fact]
    public void ParseEndpointHealth_Json_ReadsTheGoDurationToTheTick()
    {
        var health = EtcdctlOutput.ParseEndpointHealth(Fixtures.Real("endpoint-health", "json"));

        Assert.Equal(TimeSpan.FromTicks(74095), health[0].Took); // 7.40954ms
        Assert.Equal(TimeSpan.FromTicks(20009961), health[2].Took); // 2.000996072s, rounded to 100 ns
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("fields")]
    [InlineData("simple")]
    public void ParseEndpointHashKv_RealCaptureWithStandardError_ReadsHashesAndTheFailedEndpoint(string format)
    {
        var output = EtcdctlOutput.ParseEndpointHashKv(Fixtures.Real("endpoint-hashkv", format, withStandardError: true));

        Assert.Equal([2546594202u, 2546594202u], output.Hashes.Select(h => h.Hash));
        Assert.True(output.HashesAgree);
        Assert.Equal(["http://127.0.0.1:44981", "http://127.0.0.1:44517"], output.Hashes.Select(h => h.Endpoint));
        Assert.Equal("http://127.0.0.1:45777", Assert.Single(output.Failures).Endpoint);
    }

    [Fact]
    public void ParseEndpointHashKv_Json_ReadsHeaderAndCompactRevision()
    {
        var hash = EtcdctlOutput.ParseEndpointHashKv(Fixtures.Real("endpoint-hashkv", "json")).Hashes[0];

        Assert.Equal(new ResponseHeader(10037665787617233566, s_n2, 16, 2), hash.Header);
        Assert.Equal(-1, hash.CompactRevision);
        Assert.Null(hash.HashRevision);
        Assert.Equal(16, hash.Revision);
    }

    [Fact]
    public void ParseEndpointHashKv_TableWithRevisionColumns_ReadsThem()
    {
        // Newer etcdctl tables add revision columns after HASH; they are read by name when present.
        const string table = """
            +----------------+------------+----------+------------------+---------------+
            |    ENDPOINT    |    HASH    | REVISION | COMPACT REVISION | HASH REVISION |
            +----------------+------------+----------+------------------+---------------+
            | 127.0.0.1:2379 | 1084519789 |       12 |                5 |            12 |
            +----------------+------------+----------+------------------+---------------+
            """;

        var hash = Assert.Single(EtcdctlOutput.ParseEndpointHashKv(table).Hashes);

        Assert.Equal(1084519789u, hash.Hash);
        Assert.Equal(12, hash.Revision);
        Assert.Equal(5, hash.CompactRevision);
        Assert.Equal(12, hash.HashRevision);
    }

    [Fact]
    public void ParseEndpointHashKv_WithDifferentHashes_SaysTheyDisagree()
    {
        var output = EtcdctlOutput.ParseEndpointHashKv("a:2379, 1\nb:2379, 2\n");

        Assert.False(output.HashesAgree);
    }
}
