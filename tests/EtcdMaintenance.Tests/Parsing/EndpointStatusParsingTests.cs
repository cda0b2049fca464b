using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Tests.Parsing;

public sealed class EndpointStatusParsingTests
{
    private const ulong ClusterId = 10037665787617233566; // above long.MaxValue
    private const ulong Follower = 9097235633941348612;
    private const ulong Leader = 6081241627645528578;
    private const string Alarm = "memberID:18219664082543276670 alarm:NOSPACE ";

    [Fact]
    public void ParseJson_RealCapture_ReadsEveryValueExactlyIncludingIdsAboveInt64()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "json"));

        Assert.Equal(EtcdctlOutputFormat.Json, output.Format);
        Assert.Equal(2, output.Statuses.Count);
        var follower = output.Statuses[0];
        Assert.Equal("http://127.0.0.1:44981", follower.Endpoint);
        Assert.Equal(new ResponseHeader(ClusterId, Follower, 16, 2), follower.Header);
        Assert.Equal(new MemberId(Follower), follower.MemberId);
        Assert.Equal("3.4.23", follower.Version);
        Assert.Equal(19406848, follower.DbSize);
        Assert.Equal(16646144, follower.DbSizeInUse);
        Assert.Equal(new MemberId(Leader), follower.Leader);
        Assert.Equal(24UL, follower.RaftIndex);
        Assert.Equal(2UL, follower.RaftTerm);
        Assert.Equal(24UL, follower.RaftAppliedIndex);
        Assert.Equal([Alarm], follower.Errors);
        Assert.False(follower.IsLearner);
        Assert.False(follower.IsLeader);
        Assert.False(follower.SizesAreApproximate);
        Assert.True(output.Statuses[1].IsLeader);
        Assert.Equal(16, output.CompactRevision);
        Assert.Empty(output.Failures);
    }

    [Fact]
    public void ParseTable_RealCaptureWithWrappedErrorsCell_JoinsContinuationRows()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "table"));

        Assert.Equal(EtcdctlOutputFormat.Table, output.Format);
        Assert.Equal(2, output.Statuses.Count);
        Assert.All(output.Statuses, s => Assert.Equal([Alarm.Trim()], s.Errors));
    }

    [Fact]
    public void ParseTable_RealCapture_ReadsHexIdsRoundedSizesAndInfersTheLeader()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "table"));

        var follower = output.Statuses[0];
        Assert.Equal(new MemberId(Follower), follower.MemberId);
        Assert.Equal(19_000_000, follower.DbSize); // "19 MB"
        Assert.True(follower.SizesAreApproximate);
        Assert.Null(follower.DbSizeInUse);
        Assert.Null(follower.Header);
        Assert.Equal(new MemberId(Leader), follower.Leader);
        Assert.True(output.Statuses[1].IsLeader);
        Assert.Equal(new MemberId(Leader), output.Leader!.MemberId);
        Assert.False(output.HasRevisions);
        Assert.Null(output.CompactRevision);
    }

    [Fact]
    public void ParseFields_RealCapture_ReadsTheHeaderAndBothRaftTermsExactly()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "fields"));
        var json = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "json"));

        Assert.Equal(EtcdctlOutputFormat.Fields, output.Format);
        for (var i = 0; i < 2; i++)
        {
            // Fields prints everything JSON does except dbSizeInUse (etcdctl 3.4).
            Assert.Equal(json.Statuses[i] with { DbSizeInUse = null }, output.Statuses[i], new StatusComparer());
        }

        Assert.Equal(16, output.CompactRevision);
    }

    [Fact]
    public void ParseSimple_RealCapture_ReadsTheSameStatusesAsTheTable()
    {
        var simple = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "simple"));
        var table = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "table"));

        Assert.Equal(EtcdctlOutputFormat.Simple, simple.Format);
        Assert.Equal(table.Statuses, simple.Statuses, new StatusComparer());
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("fields")]
    [InlineData("simple")]
    public void Parse_RealCaptureWithStandardErrorMerged_SkipsLogLinesAndReportsTheStoppedEndpoint(string format)
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", format, withStandardError: true));

        Assert.Equal(2, output.Statuses.Count);
        var failure = Assert.Single(output.Failures);
        Assert.Equal("http://127.0.0.1:45777", failure.Endpoint);
        Assert.Equal("context deadline exceeded", failure.Message);
        var cluster = output.ToClusterStatus();
        Assert.Equal(3, cluster.Endpoints.Count);
        var unreachable = Assert.Single(cluster.Unreachable);
        Assert.Equal(EtcdErrorCode.DeadlineExceeded, unreachable.Error!.ErrorCode);
        Assert.Equal("http://127.0.0.1:45777", unreachable.Error.Endpoint);
    }

    [Theory]
    [InlineData("json", EtcdctlOutputFormat.Json)]
    [InlineData("table", EtcdctlOutputFormat.Table)]
    [InlineData("fields", EtcdctlOutputFormat.Fields)]
    [InlineData("simple", EtcdctlOutputFormat.Simple)]
    public void TryDetectFormat_RealCaptures_NamesTheirFormatEvenBehindStandardError(string format, EtcdctlOutputFormat expected)
    {
        Assert.True(EtcdctlOutput.TryDetectFormat(Fixtures.Real("endpoint-status", format, withStandardError: true), out var detected));
        Assert.Equal(expected, detected);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    [InlineData("fields")]
    [InlineData("simple")]
    public void Parse_WithTheFormatStated_GivesTheSameAsDetected(string format)
    {
        var text = Fixtures.Real("endpoint-status", format);

        var stated = EtcdctlOutput.ParseEndpointStatus(text, Enum.Parse<EtcdctlOutputFormat>(format, ignoreCase: true));

        Assert.Equal(EtcdctlOutput.ParseEndpointStatus(text).Statuses, stated.Statuses, new StatusComparer());
    }

    [Fact]
    public void Parse_WithTheWrongFormatStated_ThrowsTheParseExceptionNamingLineAndColumn()
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(Fixtures.Real("endpoint-status", "json"), EtcdctlOutputFormat.Table));

        Assert.Equal(1, ex.Line);
        Assert.Equal(1, ex.Column);
        Assert.Contains("'|'", ex.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseTable_Etcd35_ReadsTheLearnerAndTheAppliedIndexLag()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.5-endpoint-status.table.txt"));

        Assert.Equal(3, output.Statuses.Count);
        var learner = output.Statuses[2];
        Assert.True(learner.IsLearner);
        Assert.Equal(1UL, learner.ApplyLag);
        Assert.Equal(MemberId.ParseHex("c0ffee0123456789"), learner.MemberId);
        Assert.Equal(20_000, learner.DbSize);
        Assert.Empty(learner.Errors);
        Assert.Equal(MemberId.ParseHex("a1b2c3d4e5f60718"), learner.Leader);
    }

    [Fact]
    public void ParseSimple_Etcd35_ReadsTheSameAsItsTable()
    {
        var simple = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.5-endpoint-status.simple.txt"));
        var table = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.5-endpoint-status.table.txt"));

        Assert.Equal(table.Statuses, simple.Statuses, new StatusComparer());
    }

    [Fact]
    public void ParseTable_Etcd36_ReadsStorageVersionInUseAndQuotaAndIgnoresColumnsItDoesNotUse()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.6-endpoint-status.table.txt"));

        Assert.Equal(3, output.Statuses.Count);
        var status = output.Statuses[0];
        Assert.Equal("3.6.4", status.Version);
        Assert.Equal("3.6.0", status.StorageVersion);
        Assert.Equal(17_000_000, status.DbSize);
        Assert.Equal(8_400_000, status.DbSizeInUse);
        Assert.Equal(17_000_000, status.DbSizeQuota);
        Assert.True(status.SizesAreApproximate);
        Assert.Equal(["memberID:11651590505119483672 alarm:NOSPACE"], status.Errors);
        Assert.Equal(1234567UL, status.RaftAppliedIndex);
        Assert.True(output.Statuses[1].IsLeader);
    }

    [Fact]
    public void ParseSimple_Etcd36_ReadsTheSameAsItsTable()
    {
        var simple = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.6-endpoint-status.simple.txt"));
        var table = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.6-endpoint-status.table.txt"));

        Assert.Equal(table.Statuses, simple.Statuses, new StatusComparer());
    }

    [Fact]
    public void ParseJson_Etcd36_ReadsStorageVersionAndQuotaAndSkipsDowngradeInfo()
    {
        var output = EtcdctlOutput.ParseEndpointStatus(Fixtures.Read("handwritten/etcd-3.6-endpoint-status.json.txt"));

        Assert.Equal(3, output.Statuses.Count);
        Assert.All(output.Statuses, s => Assert.Equal("3.6.0", s.StorageVersion));
        Assert.All(output.Statuses, s => Assert.Equal(16777216, s.DbSizeQuota));
        Assert.All(output.Statuses, s => Assert.Equal(1.0, s.QuotaUsage));
        Assert.Equal(987655, output.CompactRevision);
        Assert.Equal(new MemberId(13907095862997510025), output.Statuses[2].MemberId);
    }

    [Fact]
    public void ParseTable_WithAnUnknownColumnAndColumnsInAnotherOrder_ReadsByHeaderName()
    {
        const string table = """
            +----------------+---------+------------------+-----------+---------+-----------+--------------------+------------+-------------+--------+
            |    ENDPOINT    | VERSION |        ID        | RAFT TERM | DB SIZE | IS LEADER | RAFT APPLIED INDEX | RAFT INDEX | SHINY THING | ERRORS |
            +----------------+---------+------------------+-----------+---------+-----------+--------------------+------------+-------------+--------+
            | 127.0.0.1:2379 |  3.7.0  | 8e9e05c52164694d |         5 |  2.1 GB |      true |                 99 |        100 |    whatever |        |
            +----------------+---------+------------------+-----------+---------+-----------+--------------------+------------+-------------+--------+
            """;

        var status = Assert.Single(EtcdctlOutput.ParseEndpointStatus(table).Statuses);

        Assert.Equal(MemberId.ParseHex("8e9e05c52164694d"), status.MemberId);
        Assert.Equal("3.7.0", status.Version);
        Assert.Equal(5UL, status.RaftTerm);
        Assert.Equal(2_100_000_000, status.DbSize);
        Assert.Equal(100UL, status.RaftIndex);
        Assert.Equal(99UL, status.RaftAppliedIndex);
        Assert.True(status.IsLeader);
        Assert.False(status.IsLearner); // no IS LEARNER column: not a learner
    }

    [Fact]
    public void ParseTable_WithAnErrorRow_ReportsTheEndpointAsAFailure()
    {
        const string table = """
            +-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+---------------------------+
            |    ENDPOINT     |        ID        | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX |          ERRORS           |
            +-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+---------------------------+
            |  10.0.0.1:2379  | 8e9e05c52164694d |  3.5.9  |  25 kB  |   true    |   false    |     5     |     56     |         56         |                           |
            |  10.0.0.2:2379  |                  |         |         |           |            |           |            |                    | context deadline exceeded |
            +-----------------+------------------+---------+---------+-----------+------------+-----------+------------+--------------------+---------------------------+
            """;

        var output = EtcdctlOutput.ParseEndpointStatus(table);

        Assert.Single(output.Statuses);
        var failure = Assert.Single(output.Failures);
        Assert.Equal(new EtcdctlEndpointFailure { Endpoint = "10.0.0.2:2379", Message = "context deadline exceeded" }, failure);
        Assert.Equal(2, output.ToClusterStatus().Endpoints.Count);
    }

    [Fact]
    public void ParseTable_DrawnWithBoxCharactersOrAsMarkdown_ReadsTheSame()
    {
        const string box = """
            ┌────────────────┬──────────────────┬─────────┬─────────┬───────────┬────────────┬───────────┬────────────┬────────────────────┬────────┐
            │    ENDPOINT    │        ID        │ VERSION │ DB SIZE │ IS LEADER │ IS LEARNER │ RAFT TERM │ RAFT INDEX │ RAFT APPLIED INDEX │ ERRORS │
            ├────────────────┼──────────────────┼─────────┼─────────┼───────────┼────────────┼───────────┼────────────┼────────────────────┼────────┤
            │ 127.0.0.1:2379 │ 8e9e05c52164694d │  3.4.23 │   20 kB │      true │      false │         2 │          4 │                  4 │        │
            └────────────────┴──────────────────┴─────────┴─────────┴───────────┴────────────┴───────────┴────────────┴────────────────────┴────────┘
            """;
        const string markdown = """
            | ENDPOINT | ID | VERSION | DB SIZE | IS LEADER | IS LEARNER | RAFT TERM | RAFT INDEX | RAFT APPLIED INDEX | ERRORS |
            |---|---|---|---|---|---|---|---|---|---|
            | 127.0.0.1:2379 | 8e9e05c52164694d | 3.4.23 | 20 kB | true | false | 2 | 4 | 4 | |
            """;

        var fromBox = Assert.Single(EtcdctlOutput.ParseEndpointStatus(box).Statuses);
        var fromMarkdown = Assert.Single(EtcdctlOutput.ParseEndpointStatus(markdown).Statuses);

        Assert.Equal(fromBox, fromMarkdown, new StatusComparer());
        Assert.Equal(20_000, fromBox.DbSize);
        Assert.True(fromBox.IsLeader);
    }

    [Fact]
    public void ParseTable_WhereNoRowIsTheLeader_LeavesTheLeaderUnknownRatherThanGuessing()
    {
        var text = Fixtures.Real("endpoint-status", "table").Replace("      true |", "     false |", StringComparison.Ordinal);

        var output = EtcdctlOutput.ParseEndpointStatus(text);

        Assert.All(output.Statuses, s => Assert.True(s.Leader.IsNone));
        Assert.All(output.Statuses, s => Assert.False(s.IsLeader));
        Assert.Null(output.Leader);
    }

    [Fact]
    public void ParseTable_WithSizesInBytesOnly_SaysTheSizesAreExact()
    {
        var text = Fixtures.Read("handwritten/etcd-3.5-endpoint-status.table.txt").Replace("20 kB", "512 B", StringComparison.Ordinal);

        var output = EtcdctlOutput.ParseEndpointStatus(text);

        Assert.All(output.Statuses, s => Assert.Equal(512, s.DbSize));
        Assert.All(output.Statuses, s => Assert.False(s.SizesAreApproximate));
    }

    [Fact]
    public void ParseJson_WithNumbersAsStrings_IsRefused_EtcdctlNeverQuotesThem()
    {
        const string json = """
            [{"Endpoint":"127.0.0.1:2379","Status":{"header":{"cluster_id":"14841639068965178418","member_id":"10276657743932975437","revision":"8","raft_term":"2"},"version":"3.5.9","dbSize":"20480","leader":"10276657743932975437","raftIndex":"9","raftTerm":"2","raftAppliedIndex":"9","dbSizeInUse":"16384"}}]
            """;

        var error = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(json));

        Assert.Equal(EtcdctlParseErrorKind.Malformed, error.Kind);
        Assert.Equal(json.IndexOf("\"14841639068965178418\"", StringComparison.Ordinal) + 1, error.Column);
    }

    [Fact]
    public void ParseJson_PrettyPrintedByJq_ReadsTheSame()
    {
        var compact = Fixtures.Real("endpoint-status", "json");
        var pretty = System.Text.Json.Nodes.JsonNode.Parse(compact)!.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = true });

        Assert.Equal(EtcdctlOutput.ParseEndpointStatus(compact).Statuses, EtcdctlOutput.ParseEndpointStatus(pretty).Statuses, new StatusComparer());
    }

    [Fact]
    public void ParseSimple_WithTrailingSpacesStrippedByAnEditor_StillReadsEmptyErrors()
    {
        var text = Fixtures.Read("handwritten/etcd-3.5-endpoint-status.simple.txt").Replace(", \n", ",\n", StringComparison.Ordinal);

        var output = EtcdctlOutput.ParseEndpointStatus(text);

        Assert.Equal(3, output.Statuses.Count);
        Assert.All(output.Statuses, s => Assert.Empty(s.Errors));
    }

    [Fact]
    public void ParseSimple_WithTwoErrorsOnALine_SplitsThemAtTheCommas()
    {
        const string line = "10.0.0.1:2379, 8e9e05c52164694d, 3.4.23, 17 MB, true, false, 2, 28, 28, memberID:1 alarm:NOSPACE , memberID:2 alarm:CORRUPT \n";

        var status = Assert.Single(EtcdctlOutput.ParseEndpointStatus(line).Statuses);

        Assert.Equal(["memberID:1 alarm:NOSPACE", "memberID:2 alarm:CORRUPT"], status.Errors);
    }

    [Fact]
    public void ParseFields_WithTwoErrors_SplitsThemWhereANewMemberIdBegins()
    {
        var text = Fixtures.Real("endpoint-status", "fields").Replace(
            "[memberID:18219664082543276670 alarm:NOSPACE ]", "[memberID:1 alarm:NOSPACE  memberID:2 alarm:CORRUPT ]", StringComparison.Ordinal);

        var output = EtcdctlOutput.ParseEndpointStatus(text);

        Assert.All(output.Statuses, s => Assert.Equal(["memberID:1 alarm:NOSPACE ", "memberID:2 alarm:CORRUPT "], s.Errors));
    }

    [Fact]
    public void StatusOutput_BuiltByCallers_KeepsStatusesBeforeFailures()
    {
        var status = new EndpointStatus("10.0.0.1:2379", 1, "3.5.9", 100, 1, 5, 2, 5) { Header = new ResponseHeader(9, 1, 42, 2) };

        var output = new EtcdctlStatusOutput(EtcdctlOutputFormat.Json, [status], [new EtcdctlEndpointFailure { Endpoint = "10.0.0.2:2379", Message = "connection refused" }]);

        Assert.Equal(42, output.CompactRevision);
        var cluster = output.ToClusterStatus();
        Assert.Same(status, cluster.Endpoints[0].Status);
        Assert.Equal(EtcdErrorCode.EndpointUnavailable, cluster.Endpoints[1].Error!.ErrorCode);
    }
}

/// <summary>Compares statuses by value (records compare their lists by reference).</summary>
internal sealed class StatusComparer : IEqualityComparer<EndpointStatus>
{
    public bool Equals(EndpointStatus? x, EndpointStatus? y) =>
        x is not null && y is not null &&
        (x with { Errors = [] }) == (y with { Errors = [] }) &&
        x.Errors.SequenceEqual(y.Errors);

    public int GetHashCode(EndpointStatus obj) => obj.MemberId.GetHashCode();
}
