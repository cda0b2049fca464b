using System.Buffers;
using System.Text;
using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Tests.Parsing;

public sealed class BadInputTests
{
    [Fact]
    public void SimpleMemberLine_WhoseEmptyLastFieldLostItsSpace_StillNamesItsColumns()
    {
        // Found by MutatedRealCaptures: the empty CLIENT ADDRS after a stripped ", " was a cell without a name.
        var list = EtcdctlOutput.ParseMemberList("5464e90a61214a02, started, n3, http://127.0.0.1:39439,\n", EtcdctlOutputFormat.Simple);

        var member = Assert.Single(list.Members);
        Assert.Equal("n3", member.Name);
        Assert.Equal(["http://127.0.0.1:39439"], member.PeerUrls);
        Assert.Empty(member.ClientUrls);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t\n")]
    [InlineData("{\"level\":\"warn\",\"msg\":\"retrying of unary invoker failed\"}\n")]
    public void ParseEndpointStatus_WithNoOutput_FailsAsEmptyWithoutAPosition(string input)
    {
        Assert.False(EtcdctlOutput.TryParseEndpointStatus(input, EtcdctlOutputFormat.Auto, out var result, out var error));

        Assert.Null(result);
        Assert.Equal(EtcdctlParseErrorKind.Empty, error.Kind);
        Assert.Equal(0, error.Line);
    }

    [Fact]
    public void ParseEndpointStatus_WithOnlyEtcdctlsErrorLine_SaysEtcdctlFailedAndWhere()
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus("\nError: context deadline exceeded\n"));

        Assert.Equal(EtcdctlParseErrorKind.Empty, ex.Kind);
        Assert.Equal(2, ex.Line);
        Assert.Contains("context deadline exceeded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEndpointStatus_WithOnlyFailureLines_ReportsEveryEndpointAsFailed()
    {
        // Every endpoint down, -w simple, 2>&1: etcdctl prints nothing but its failure lines.
        const string text = "Failed to get the status of endpoint a:2379 (context deadline exceeded)\nFailed to get the status of endpoint b:2379 (context deadline exceeded)\n";

        var output = EtcdctlOutput.ParseEndpointStatus(text);

        Assert.Empty(output.Statuses);
        Assert.Equal(["a:2379", "b:2379"], output.Failures.Select(f => f.Endpoint));
        Assert.Null(output.CompactRevision);
    }

    [Theory]
    [InlineData("hello world", 1, 1)]
    [InlineData("lorem, ipsum, dolor", 1, 1)]
    [InlineData("<html><body>502 Bad Gateway</body></html>", 1, 1)]
    public void ParseEndpointStatus_OnGarbage_ThrowsTheParseExceptionWithLineAndColumn(string input, int line, int column)
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(input));

        Assert.Equal(EtcdctlParseErrorKind.Malformed, ex.Kind);
        Assert.Equal(line, ex.Line);
        Assert.Equal(column, ex.Column);
        Assert.IsAssignableFrom<FormatException>(ex);
    }

    [Theory]
    [InlineData("json")]
    [InlineData("table")]
    public void ParseEndpointStatus_CutInTheMiddle_SaysItIsTruncated(string format)
    {
        var full = Fixtures.Real("endpoint-status", format);

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(full[..(full.Length * 2 / 3)]));

        Assert.Equal(EtcdctlParseErrorKind.Truncated, ex.Kind);
    }

    [Fact]
    public void ParseEndpointStatus_TableWithoutItsClosingBorder_SaysItIsTruncatedAtTheLastLine()
    {
        var lines = Fixtures.Real("endpoint-status", "table").TrimEnd().Split('\n');

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(string.Join('\n', lines[..^1])));

        Assert.Equal(EtcdctlParseErrorKind.Truncated, ex.Kind);
        Assert.Equal(lines.Length - 1, ex.Line);
        Assert.Contains("closing border", ex.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEndpointStatus_FieldsCutBeforeTheEndpointLine_SaysItIsTruncated()
    {
        var text = Fixtures.Real("endpoint-status", "fields").TrimEnd();
        text = text[..text.LastIndexOf("\"Endpoint\"", StringComparison.Ordinal)];

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));

        Assert.Equal(EtcdctlParseErrorKind.Truncated, ex.Kind);
        Assert.Contains("Endpoint", ex.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEndpointStatus_SimpleLineCutBeforeItsLastColumns_SaysItIsTruncated()
    {
        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus("10.0.0.1:2379, 8e9e05c52164694d, 3.4.23, 17 MB, true, false, 2, 2"));

        Assert.Equal(EtcdctlParseErrorKind.Truncated, ex.Kind);
    }

    [Theory]
    [InlineData("member-list", "json")]
    [InlineData("member-list", "table")]
    [InlineData("member-list", "simple")]
    [InlineData("member-list", "fields")]
    [InlineData("endpoint-health", "json")]
    [InlineData("endpoint-health", "table")]
    [InlineData("endpoint-health", "fields")]
    [InlineData("endpoint-hashkv", "json")]
    [InlineData("endpoint-hashkv", "table")]
    [InlineData("endpoint-hashkv", "simple")]
    [InlineData("endpoint-hashkv", "fields")]
    [InlineData("alarm-list", "json")]
    [InlineData("alarm-list", "simple")]
    public void ParseEndpointStatus_OnAnotherCommandsRealOutput_SaysWhichCommandItIs(string command, string format)
    {
        Assert.False(EtcdctlOutput.TryParseEndpointStatus(Fixtures.Real(command, format, withStandardError: true), EtcdctlOutputFormat.Auto, out _, out var error));

        Assert.Equal(EtcdctlParseErrorKind.WrongCommand, error.Kind);
        Assert.True(error.Line > 0);
    }

    [Fact]
    public void ParseEndpointStatus_WithAnIdLongerThanSixteenHexDigits_PointsAtTheIdCell()
    {
        var text = Fixtures.Real("endpoint-status", "table").Replace("| 7e3fdf9c1f198104 |", "| 7e3fdf9c1f1981041 |", StringComparison.Ordinal);

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));

        Assert.Equal(4, ex.Line);
        Assert.Equal(28, ex.Column);
        Assert.Contains("hex member ID", ex.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEndpointStatus_WithARowOfTheWrongWidth_SaysHowManyCellsWereExpected()
    {
        var text = Fixtures.Real("endpoint-status", "table").Replace("|      false |         2 |", "|      false | 2 | 2 |", StringComparison.Ordinal);

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));

        Assert.Equal(EtcdctlParseErrorKind.Malformed, ex.Kind);
        Assert.Contains("10 cells", ex.Expected, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEndpointStatus_WithANumberTooLargeForItsField_FailsRatherThanWrapping()
    {
        var text = Fixtures.Real("endpoint-status", "json").Replace("\"raftIndex\":24", "\"raftIndex\":18446744073709551616", StringComparison.Ordinal);

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));

        Assert.Equal(1, ex.Line);
        Assert.Equal(text.IndexOf("18446744073709551616", StringComparison.Ordinal) + 1, ex.Column);
    }

    [Fact]
    public void ParseEndpointStatus_WithAnUnreadableSize_PointsAtIt()
    {
        var text = Fixtures.Real("endpoint-status", "simple").Replace("19 MB", "19 XB", StringComparison.Ordinal);

        var ex = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));

        Assert.Equal(1, ex.Line);
        Assert.Equal(text.IndexOf("19 XB", StringComparison.Ordinal) + 1, ex.Column);
    }

    [Fact]
    public void ParseEndpointStatus_WithAGoPanic_IsMalformedNotEmpty()
    {
        var panic = Fixtures.Read("etcd-3.4.23/alarm-list.fields.stderr.txt");

        Assert.False(EtcdctlOutput.TryParseEndpointStatus(panic, EtcdctlOutputFormat.Auto, out _, out var error));

        Assert.Equal(EtcdctlParseErrorKind.Malformed, error.Kind);
        Assert.StartsWith("'panic:", error.Found, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseEndpointStatus_WithDeeplyNestedJson_FailsCleanly()
    {
        var text = new string('[', 100_000) + new string(']', 100_000);

        Assert.False(EtcdctlOutput.TryParseEndpointStatus(text, EtcdctlOutputFormat.Auto, out _, out var error));
        Assert.False(RevisionExtractor.TryGetCompactRevision(text, out _, out var revisionError));

        Assert.Equal(EtcdctlParseErrorKind.Malformed, error.Kind);
        Assert.Equal(EtcdctlParseErrorKind.Malformed, revisionError.Kind);
    }

    public static TheoryData<string> TenMegabyteLines => new()
    {
        new string('x', 10_000_000),
        new string('|', 10_000_000),
        new string('[', 1) + new string(' ', 10_000_000),
        "\"" + new string('a', 10_000_000),
        string.Concat(Enumerable.Repeat(", ", 5_000_000)),
        "[{\"Endpoint\":\"" + new string('e', 10_000_000),
        "+" + new string('-', 10_000_000) + "+\n|" + new string(' ', 100) + "|\n",
    };

    [Theory]
    [MemberData(nameof(TenMegabyteLines))]
    public void EveryParser_OnATenMegabyteLine_FailsWithTheParseErrorAndNothingElse(string line)
    {
        BadInputPropertyTests.AssertOnlyDocumentedFailures(line);

        Assert.False(EtcdctlOutput.TryParseEndpointStatus(line, EtcdctlOutputFormat.Auto, out _, out var error));
        Assert.NotNull(error.Message);
        Assert.True(error.Found is null || error.Found.Length < 100, "the excerpt stays short");
    }

    [Fact]
    public void ParseEndpointStatus_WithATenMegabyteErrorsString_ReadsItExactly()
    {
        var huge = new string('e', 10_000_000);
        var text = Fixtures.Real("endpoint-status", "json").Replace("memberID:18219664082543276670 alarm:NOSPACE ", huge, StringComparison.Ordinal);

        var output = EtcdctlOutput.ParseEndpointStatus(text);

        Assert.Equal(huge, output.Statuses[0].Errors[0]);
        Assert.True(RevisionExtractor.TryGetCompactRevision(Encoding.UTF8.GetBytes(text), out var revision, out _));
        Assert.Equal(16, revision);
    }

    [Fact]
    public void EveryParser_OnNull_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => EtcdctlOutput.ParseEndpointStatus(null!));
        Assert.Throws<ArgumentNullException>(() => EtcdctlOutput.TryParseMemberList(null!, EtcdctlOutputFormat.Auto, out _, out _));
        Assert.Throws<ArgumentNullException>(() => EtcdctlOutput.ParseAlarmList(null!));
        Assert.Throws<ArgumentNullException>(() => EtcdctlOutput.ParseEndpointHealth(null!));
        Assert.Throws<ArgumentNullException>(() => EtcdctlOutput.ParseEndpointHashKv(null!));
    }

    [Fact]
    public void ParseError_Message_NamesLineColumnExpectedAndFound()
    {
        var error = new EtcdctlParseError(EtcdctlParseErrorKind.Malformed, 3, 7, "a number (RAFT TERM)", "'abc'");

        Assert.Equal("line 3, column 7: this is not the etcdctl output expected: expected a number (RAFT TERM); found 'abc'.", error.Message);
        Assert.Equal(error.Message, new EtcdctlParseException(error).Message);
    }

    [Fact]
    public void RevisionExtractor_OnAnEmptySpan_IsEmptyNotAnException()
    {
        var status = RevisionExtractor.TryExtract(ReadOnlySpan<byte>.Empty, Span<EndpointRevision>.Empty, out var count, out var compact, out var error);

        Assert.Equal(OperationStatus.InvalidData, status);
        Assert.Equal((0, 0L), (count, compact));
        Assert.Equal(EtcdctlParseErrorKind.Empty, error!.Kind);
    }

    [Fact]
    public void EtcdctlParseException_StandardConstructors_KeepTheMessageAndCauseAndGiveAnUnpositionedError()
    {
        var cause = new InvalidOperationException("cause");

        var bare = new EtcdctlParseException();
        var withMessage = new EtcdctlParseException("not status output");
        var withCause = new EtcdctlParseException("not status output", cause);

        Assert.False(string.IsNullOrEmpty(bare.Message));
        Assert.Equal("not status output", withMessage.Message);
        Assert.Same(cause, withCause.InnerException);
        Assert.All([bare, withMessage, withCause], ex =>
        {
            Assert.Equal(EtcdctlParseErrorKind.Malformed, ex.Kind);
            Assert.Equal(0, ex.Line);
            Assert.Equal(0, ex.Column);
        });
        Assert.Equal("not status output", withCause.Expected);
    }
}
