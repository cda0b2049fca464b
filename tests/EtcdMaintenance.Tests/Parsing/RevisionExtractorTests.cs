using System.Buffers;
using System.Text;
using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Tests.Parsing;

public sealed class RevisionExtractorTests
{
    private static readonly byte[] s_json = Encoding.UTF8.GetBytes(Fixtures.Real("endpoint-status", "json"));

    [Fact]
    public void TryExtract_RealJson_WritesEachEndpointsRevisionAndTheMaximum()
    {
        Span<EndpointRevision> revisions = stackalloc EndpointRevision[3];

        var status = RevisionExtractor.TryExtract(s_json, revisions, out var count, out var compact, out var error);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Null(error);
        Assert.Equal(2, count);
        Assert.Equal(16, compact);
        Assert.Equal(new EndpointRevision { Index = 0, MemberId = new MemberId(9097235633941348612), Revision = 16 }, revisions[0]);
        Assert.Equal(new EndpointRevision { Index = 1, MemberId = new MemberId(6081241627645528578), Revision = 16 }, revisions[1]);
    }

    [Fact]
    public void TryExtract_Etcd36Json_WritesTheRevisions()
    {
        var json = Encoding.UTF8.GetBytes(Fixtures.Read("handwritten/etcd-3.6-endpoint-status.json.txt"));
        var revisions = new EndpointRevision[3];

        var status = RevisionExtractor.TryExtract(json, revisions, out var count, out var compact, out _);

        Assert.Equal(OperationStatus.Done, status);
        Assert.Equal(3, count);
        Assert.Equal([987654L, 987655L, 987653L], revisions.Select(r => r.Revision));
        Assert.Equal(987655, compact);
    }

    [Fact]
    public void TryExtract_IntoTooSmallASpan_WritesWhatFitsAndStillCountsAndComparesAll()
    {
        var json = Encoding.UTF8.GetBytes(Fixtures.Read("handwritten/etcd-3.6-endpoint-status.json.txt"));
        Span<EndpointRevision> revisions = stackalloc EndpointRevision[1];

        var status = RevisionExtractor.TryExtract(json, revisions, out var count, out var compact, out var error);

        Assert.Equal(OperationStatus.DestinationTooSmall, status);
        Assert.Null(error);
        Assert.Equal(3, count);
        Assert.Equal(987654, revisions[0].Revision);
        Assert.Equal(987655, compact);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("fields")]
    public void TryGetCompactRevision_FromStringAndFromBytes_Agree(string format)
    {
        var text = Fixtures.Real("endpoint-status", format, withStandardError: true);

        Assert.True(RevisionExtractor.TryGetCompactRevision(text, out var fromText, out _));
        Assert.True(RevisionExtractor.TryGetCompactRevision(Encoding.UTF8.GetBytes(text), out var fromBytes, out _));

        Assert.Equal(16, fromText);
        Assert.Equal(fromText, fromBytes);
    }

    [Fact]
    public void Extract_RealFields_ListsEveryEndpointWithItsMember()
    {
        var extraction = RevisionExtractor.Extract(Fixtures.Real("endpoint-status", "fields"));

        Assert.Equal(EtcdctlOutputFormat.Fields, extraction.Format);
        Assert.Equal(16, extraction.CompactRevision);
        Assert.Equal([new MemberId(9097235633941348612), new MemberId(6081241627645528578)], extraction.Endpoints.Select(e => e.MemberId));
    }

    [Theory]
    [InlineData("table")]
    [InlineData("simple")]
    public void TryExtract_OnFormatsThatDoNotPrintTheRevision_FailsSayingSoInsteadOfReturningANumber(string format)
    {
        Span<EndpointRevision> revisions = stackalloc EndpointRevision[4];

        var status = RevisionExtractor.TryExtract(Encoding.UTF8.GetBytes(Fixtures.Real("endpoint-status", format, withStandardError: true)), revisions, out var count, out var compact, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(0, count);
        Assert.Equal(0, compact);
        Assert.Equal(EtcdctlParseErrorKind.NotInFormat, error!.Kind);
        Assert.Contains("does not print the revision", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Extract_OnATable_ThrowsTheParseException()
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => RevisionExtractor.Extract(Fixtures.Real("endpoint-status", "table")));

        Assert.Equal(EtcdctlParseErrorKind.NotInFormat, ex.Kind);
        Assert.Equal(1, ex.Line);
    }

    [Fact]
    public void TryExtract_OnJsonCutShort_AsksForMoreData()
    {
        var cut = s_json.AsSpan(0, s_json.Length / 2);

        var status = RevisionExtractor.TryExtract(cut, Span<EndpointRevision>.Empty, out _, out var compact, out var error);

        Assert.Equal(OperationStatus.NeedMoreData, status);
        Assert.Equal(0, compact);
        Assert.Equal(EtcdctlParseErrorKind.Truncated, error!.Kind);
        Assert.Equal(1, error.Line);
    }

    [Fact]
    public void TryGetCompactRevision_OnMemberListJson_RefusesAlthoughItsHeaderHasARevision()
    {
        // egrep '"revision":[0-9]*' would happily print member list's header revision.
        const string memberList = """{"header":{"cluster_id":1,"member_id":2,"revision":99,"raft_term":2},"members":[{"ID":2,"name":"n1"}]}""";

        Assert.False(RevisionExtractor.TryGetCompactRevision(memberList, out var revision, out var error));

        Assert.Equal(0, revision);
        Assert.Equal(EtcdctlParseErrorKind.WrongCommand, error.Kind);
    }

    [Fact]
    public void TryGetCompactRevision_WithARevisionInsideAnErrorString_ReadsOnlyTheHeaders()
    {
        const string json = """[{"Endpoint":"a:2379","Status":{"header":{"member_id":1,"revision":7},"errors":["\"revision\":99999 in a message"]}}]""";

        Assert.True(RevisionExtractor.TryGetCompactRevision(json, out var revision, out _));

        Assert.Equal(7, revision);
    }

    [Theory]
    [InlineData("""[{"Endpoint":"a:2379","HashKV":{"header":{"revision":7},"hash":1}}]""", EtcdctlParseErrorKind.WrongCommand)]
    [InlineData("""[{"endpoint":"a:2379","health":true,"took":"1ms"}]""", EtcdctlParseErrorKind.WrongCommand)]
    [InlineData("""[{"Endpoint":"a:2379","Status":{"header":{"member_id":1}}}]""", EtcdctlParseErrorKind.Malformed)]
    [InlineData("""[{"Endpoint":"a:2379","Status":{"header":{"revision":-1}}}]""", EtcdctlParseErrorKind.Malformed)]
    [InlineData("""[{"Endpoint":"a:2379","Status":{"header":{"revision":9223372036854775808}}}]""", EtcdctlParseErrorKind.Malformed)]
    [InlineData("""[{"Endpoint":"a:2379","Status":{"header":{"revision":"12x"}}}]""", EtcdctlParseErrorKind.Malformed)]
    [InlineData("""[{"Endpoint":"a:2379","Status":{"header":{"revision":7}}}] trailing""", EtcdctlParseErrorKind.Malformed)]
    [InlineData("""[{"Endpoint":"a:2379","Status":{"header":{"revision":7}}}]""" + "\n[]", EtcdctlParseErrorKind.Malformed)]
    [InlineData("[]", EtcdctlParseErrorKind.Empty)]
    [InlineData("", EtcdctlParseErrorKind.Empty)]
    [InlineData("Error: context deadline exceeded\n", EtcdctlParseErrorKind.Empty)]
    [InlineData("[{\"Endpoint\":\"a\",", EtcdctlParseErrorKind.Truncated)]
    [InlineData("[{\"Endpoint\":tru", EtcdctlParseErrorKind.Truncated)]
    [InlineData("[{\"Endpoint\":xyz}]", EtcdctlParseErrorKind.Malformed)]
    [InlineData("[1,2]", EtcdctlParseErrorKind.Malformed)]
    [InlineData("hello", EtcdctlParseErrorKind.Malformed)]
    [InlineData("\"ID\" : 5\n\"Name\" : \"n1\"\n", EtcdctlParseErrorKind.WrongCommand)]
    [InlineData("\"ClusterID\" : 1\n\"MemberID\" : 2\n\"Revision\" : 3\n\"RaftTerm\" : 2\n\"Endpoint\" : \"a\"\n\"Hash\" : 5\n", EtcdctlParseErrorKind.WrongCommand)]
    [InlineData("\"ClusterID\" : 1\n\"MemberID\" : 2\n\"Revision\" : 3\n", EtcdctlParseErrorKind.Truncated)]
    public void TryGetCompactRevision_OnBadInput_FailsWithTheRightKind(string input, EtcdctlParseErrorKind kind)
    {
        Assert.False(RevisionExtractor.TryGetCompactRevision(input, out var revision, out var error));

        Assert.Equal(0, revision);
        Assert.Equal(kind, error.Kind);
    }

    [Fact]
    public void TryExtract_OnInvalidJson_PointsAtTheLineAndColumn()
    {
        const string text = "Failed to get the status of endpoint a:2379 (context deadline exceeded)\n[{\"Endpoint\":\"b\",\"Status\":{\"header\":{\"revision\":5}},}]";

        var status = RevisionExtractor.TryExtract(Encoding.UTF8.GetBytes(text), Span<EndpointRevision>.Empty, out _, out _, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal(EtcdctlParseErrorKind.Malformed, error!.Kind);
        Assert.Equal(2, error.Line);
        Assert.Equal(text.Split('\n')[1].IndexOf(",}", StringComparison.Ordinal) + 2, error.Column);
    }

    [Fact]
    public void TryExtract_FromUtf8Json_AllocatesNothing()
    {
        var json = s_json;
        var destination = new EndpointRevision[4];
        long sum = 0;
        for (var i = 0; i < 10; i++)
        {
            sum += Run(json, destination); // warm up: JIT and tiering
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            sum += Run(json, destination);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(110 * 2 * 16, sum);

        static long Run(byte[] json, EndpointRevision[] destination)
        {
            RevisionExtractor.TryExtract(json, destination, out _, out var a, out _);
            RevisionExtractor.TryGetCompactRevision(json, out var b, out _);
            return a + b;
        }
    }

    [Fact]
    public void TryGetCompactRevision_FromAString_AllocatesNothingOnceThePoolIsWarm()
    {
        var small = Fixtures.Real("endpoint-status", "json");
        var large = string.Concat(Enumerable.Repeat("{\"level\":\"warn\",\"msg\":\"padding to leave the stack buffer\"}\n", 20)) + small;
        long sum = 0;
        for (var i = 0; i < 10; i++)
        {
            RevisionExtractor.TryGetCompactRevision(small, out var a, out _);
            RevisionExtractor.TryGetCompactRevision(large, out var b, out _);
            sum += a + b;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            RevisionExtractor.TryGetCompactRevision(small, out var a, out _);
            RevisionExtractor.TryGetCompactRevision(large, out var b, out _);
            sum += a + b;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(110 * 2 * 16, sum);
    }

    [Fact]
    public void TryGetCompactRevision_WithABrokenValueAfterEachHeader_RefusesItAsTheFullParserDoes()
    {
        // The revision path is the full parser's reader: it checks every value, not only the headers.
        var text = Fixtures.Real("endpoint-status", "json").Replace("\"dbSize\":19406848", "\"dbSize\":19x06848", StringComparison.Ordinal);

        Assert.False(RevisionExtractor.TryGetCompactRevision(text, out var revision, out var revisionError));
        Assert.False(EtcdctlOutput.TryParseEndpointStatus(text, EtcdctlOutputFormat.Auto, out _, out var error));

        Assert.Equal(0, revision);
        Assert.Equal(EtcdctlParseErrorKind.Malformed, error.Kind);
        Assert.Equal((error.Kind, error.Line, error.Column), (revisionError.Kind, revisionError.Line, revisionError.Column));
    }

    [Theory]
    [InlineData("\"errors\":[\"memberID:18219664082543276670 alarm:NOSPACE \"]", "\"errors\":[\"memberID:18219664082543276670 alarm:NOSPACE \"")]
    [InlineData("\"dbSizeInUse\":16646144}}", "\"dbSizeInUse\":16646144}")]
    [InlineData("alarm:NOSPACE \"]", "alarm:NOSPACE ]")]
    public void TryGetCompactRevision_WithBracketsOrQuotesBrokenAfterTheHeader_Fails(string from, string to)
    {
        var text = Fixtures.Real("endpoint-status", "json");
        var at = text.LastIndexOf(from, StringComparison.Ordinal);
        text = text[..at] + to + text[(at + from.Length)..];

        Assert.False(RevisionExtractor.TryGetCompactRevision(text, out var revision, out var error));

        Assert.Equal(0, revision);
        Assert.True(error.Kind is EtcdctlParseErrorKind.Malformed or EtcdctlParseErrorKind.Truncated, error.Message);
    }
}
