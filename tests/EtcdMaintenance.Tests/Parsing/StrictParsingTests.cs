using System.Text;
using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Tests.Parsing;

/// <summary>What etcdctl never prints is refused with the kind, line and column; what etcdctl prints before its output is skipped.</summary>
public sealed class StrictParsingTests
{
    private const string Status =
        """[{"Endpoint":"http://127.0.0.1:2379","Status":{"header":{"cluster_id":1,"member_id":2,"revision":16,"raft_term":2},"version":"3.4.23","dbSize":19406848,"leader":2,"raftIndex":24,"raftTerm":2,"raftAppliedIndex":24,"dbSizeInUse":16646144}}]""";

    public static TheoryData<string, string, string> Mutations => new()
    {
        // name, the text replaced, its replacement; the error points at the first character of the replacement's marked part ('@').
        { "duplicate revision", "\"revision\":16", "\"revision\":16,@\"revision\":99" },
        { "quoted revision", "\"revision\":16", "\"revision\":@\"16\"" },
        { "negative revision", "\"revision\":16", "\"revision\":@-16" },
        { "duplicate member_id", "\"member_id\":2", "\"member_id\":2,@\"member_id\":3" },
        { "quoted member_id", "\"member_id\":2", "\"member_id\":@\"2\"" },
        { "duplicate Status", "}}]", "},@\"Status\":{}}]" },
    };

    public static TheoryData<string, string, string> StatusOnlyMutations => new()
    {
        { "negative dbSize", "\"dbSize\":19406848", "\"dbSize\":@-1" },
        { "quoted dbSize", "\"dbSize\":19406848", "\"dbSize\":@\"19406848\"" },
        { "duplicate dbSize", "\"dbSize\":19406848", "\"dbSize\":19406848,@\"dbSize\":1" },
        { "negative dbSizeInUse", "\"dbSizeInUse\":16646144", "\"dbSizeInUse\":@-5" },
        { "quoted raftIndex", "\"raftIndex\":24", "\"raftIndex\":@\"24\"" },
        { "duplicate leader", "\"leader\":2", "\"leader\":2,@\"leader\":3" },
        { "duplicate cluster_id", "\"cluster_id\":1", "\"cluster_id\":1,@\"cluster_id\":5" },
    };

    private static (string Text, int Column) Mutate(string find, string replace)
    {
        Assert.Contains(find, Status, StringComparison.Ordinal);
        var marked = Status.Replace(find, replace, StringComparison.Ordinal);
        var column = marked.IndexOf('@', StringComparison.Ordinal) + 1;
        return (marked.Remove(column - 1, 1), column);
    }

    [Theory]
    [MemberData(nameof(Mutations))]
    public void RevisionExtractor_RefusesWhatEtcdctlNeverPrints_WithLineAndColumn(string name, string find, string replace)
    {
        var (text, column) = Mutate(find, replace);

        foreach (var error in new[]
        {
            Assert.Throws<EtcdctlParseException>(() => RevisionExtractor.Extract(text)).Error,
            RevisionExtractor.TryGetCompactRevision(Encoding.UTF8.GetBytes(text), out _, out var fromBytes) ? null! : fromBytes,
        })
        {
            Assert.NotNull(error);
            Assert.True(error.Kind == EtcdctlParseErrorKind.Malformed, $"{name}: {error.Kind}");
            Assert.Equal(1, error.Line);
            Assert.True(column == error.Column, $"{name}: column {error.Column}, expected {column} ({error.Message})");
        }
    }

    [Theory]
    [MemberData(nameof(Mutations))]
    [MemberData(nameof(StatusOnlyMutations))]
    public void ParseEndpointStatus_RefusesWhatEtcdctlNeverPrints_WithLineAndColumn(string name, string find, string replace)
    {
        var (text, column) = Mutate(find, replace);

        var error = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text, EtcdctlOutputFormat.Json));

        Assert.True(error.Kind == EtcdctlParseErrorKind.Malformed, $"{name}: {error.Kind}");
        Assert.Equal(1, error.Line);
        Assert.True(column == error.Column, $"{name}: column {error.Column}, expected {column} ({error.Message})");
    }

    [Fact]
    public void TheUnmutatedOutput_Parses()
    {
        Assert.Equal(16, RevisionExtractor.Extract(Status).CompactRevision);
        Assert.Equal(19406848, EtcdctlOutput.ParseEndpointStatus(Status).Statuses[0].DbSize);
    }

    [Theory]
    [InlineData("2026-11-30 10:00:00.079396 W | pkg/flags: unrecognized environment variable ETCDCTL_FOO=1\n")]
    [InlineData("2026-11-30 10:00:00.079396 W | pkg/flags: unrecognized environment variable ETCDCTL_FOO=1\n2026-11-30 10:00:00.079401 N | pkg/flags: recognized and used environment variable ETCDCTL_ENDPOINTS=http://127.0.0.1:2379\n")]
    [InlineData("{\"level\":\"warn\",\"ts\":\"2026-11-30T10:00:01.113Z\",\"caller\":\"clientv3/retry_interceptor.go:62\",\"msg\":\"retrying of unary invoker failed\"}\n")]
    public void EtcdctlsOwnWarningLines_BeforeTheOutput_AreSkipped(string warnings)
    {
        var text = warnings + Status + "\n";

        Assert.Equal(16, RevisionExtractor.Extract(text).CompactRevision);
        Assert.True(RevisionExtractor.TryGetCompactRevision(Encoding.UTF8.GetBytes(text), out var revision, out var error), error?.Message);
        Assert.Equal(16, revision);
        Assert.Equal(19406848, EtcdctlOutput.ParseEndpointStatus(text).Statuses[0].DbSize);
        var fields = warnings + Fixtures.Real("endpoint-status", "fields");
        Assert.Equal(16, RevisionExtractor.Extract(fields).CompactRevision);
        Assert.Equal(2, EtcdctlOutput.ParseEndpointStatus(fields).Statuses.Count);
    }

    [Fact]
    public void AWarningLikeLine_InsideTheOutput_IsStillRefused()
    {
        // Only etcdctl's log-line shape is noise: a line that merely starts with a date is content, and refused after the JSON.
        var text = Status + "\n2026-11-30 10:00:00 is not a log line\n";

        var error = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));

        Assert.Equal(2, error.Line);
    }

    [Theory]
    [InlineData("\"Revision\" : 16", "\"Revision\" : -16", "negative")]
    [InlineData("\"Revision\" : 16", "\"Revision\" : \"16\"", "quoted")]
    [InlineData("\"DBSize\" : 19406848", "\"DBSize\" : -1", "negative size")]
    [InlineData("\"Revision\" : 16", "\"Revision\" : 16\n\"Revision\" : 99", "duplicate")]
    public void FieldsOutput_RefusesNegativeQuotedAndDuplicateNumbers_NamingTheLine(string find, string replace, string name)
    {
        var real = Fixtures.Real("endpoint-status", "fields");
        var index = real.IndexOf(find, StringComparison.Ordinal);
        Assert.True(index >= 0, name);
        var text = real[..index] + replace + real[(index + find.Length)..];
        var line = replace.Contains('\n', StringComparison.Ordinal) ? real[..index].Count(c => c == '\n') + 2 : real[..index].Count(c => c == '\n') + 1;

        var parse = Assert.Throws<EtcdctlParseException>(() => EtcdctlOutput.ParseEndpointStatus(text));
        Assert.True(line == parse.Line, $"{name}: line {parse.Line}, expected {line} ({parse.Message})");
        Assert.Equal(EtcdctlParseErrorKind.Malformed, parse.Kind);
        if (find.StartsWith("\"Revision\"", StringComparison.Ordinal))
        {
            var extract = Assert.Throws<EtcdctlParseException>(() => RevisionExtractor.Extract(text));
            Assert.True(line == extract.Line, $"{name}: line {extract.Line}, expected {line} ({extract.Message})");
        }
    }
}
