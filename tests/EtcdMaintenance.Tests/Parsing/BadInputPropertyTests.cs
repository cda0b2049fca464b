using System.Buffers;
using System.Text;
using EtcdMaintenance.Parsing;
using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Parsing;

/// <summary>
/// Properties for bad input: truncated, mutated and arbitrary text never makes a parser throw anything but
/// <see cref="EtcdctlParseException"/>, never makes a TryParse throw at all, and never yields a wrong number.
/// </summary>
public sealed class BadInputPropertyTests
{
    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(500);

    private static readonly string[] s_tokens =
    [
        "|", "+", "-", "---", ",", ", ", "\"", ":", " : ", "[", "]", "{", "}", "\n", "\r\n", " ", "0", "9", "18446744073709551616", "-1",
        "true", "null", "\"Revision\" : ", "\"ClusterID\" : 1\n", "memberID:", "\\", "\\u00", "é", "\uD800", "\u2502", "\u2500", "kB", " MB",
        "Failed to get the status of endpoint ", "Error: ", "{\"level\":\"warn\"}\n", "\"revision\":", "[{", "}]",
    ];

    [Fact]
    public void TruncatedOutput_InAnyFormat_FailsWithTheParseExceptionOrYieldsOnlyValuesThatWerePrinted()
    {
        var arbitrary =
            (from cluster in StatusGenerators.Cluster
             from format in Gen.Elements(StatusGenerators.Formats)
             from cut in Gen.Choose(0, 100_000)
             select (cluster, format, cut)).ToArbitrary();
        Check.One(s_config, Prop.ForAll(arbitrary, input =>
        {
            var (cluster, format, cutSeed) = input;
            var full = EtcdctlPrinter.Print(cluster.Statuses, format, cluster.Version);
            var cut = full[..(cutSeed % full.TrimEnd().Length)];
            var complete = EtcdctlOutput.ParseEndpointStatus(full).Statuses;

            EtcdctlStatusOutput? parsed = null;
            var ex = Record.Exception(() => parsed = EtcdctlOutput.ParseEndpointStatus(cut));

            if (ex is not null)
            {
                Assert.IsType<EtcdctlParseException>(ex);
                return true;
            }

            // Only simple and fields lines can end where an endpoint ends (and a table where its last border does).
            Assert.True(format is "simple" or "fields" or "table", $"{format} cut at {cut.Length} parsed");
            Assert.True(parsed!.Statuses.Count <= complete.Count);
            for (var i = 0; i < parsed.Statuses.Count; i++)
            {
                var (got, expected) = (parsed.Statuses[i], complete[i]);
                // Tables and simple lines do not print the leader's ID: it is inferred from the row that says it leads,
                // so with that row cut off it is unknown (None), never another member.
                Assert.True(got.Leader == expected.Leader || got.Leader.IsNone);
                Assert.Equal(expected.IsLeader, got.IsLeader);
                Assert.Equal(expected with { Errors = [], Leader = default }, got with { Errors = [], Leader = default });
                // The errors text is the one thing a cut simple line can shorten, and then only the last one.
                Assert.True(got.Errors.SequenceEqual(expected.Errors) ||
                    (i == parsed.Statuses.Count - 1 && string.Join(", ", expected.Errors).StartsWith(string.Join(", ", got.Errors), StringComparison.Ordinal)));
            }

            return true;
        }));
    }

    [Fact]
    public void TruncatedOutput_GivenToTheRevisionExtractor_NeverGivesARevisionThatWasNotPrinted()
    {
        var arbitrary =
            (from cluster in StatusGenerators.Cluster
             from format in Gen.Elements("json", "fields")
             from cut in Gen.Choose(0, 100_000)
             select (cluster, format, cut)).ToArbitrary();
        Check.One(s_config, Prop.ForAll(arbitrary, input =>
        {
            var (cluster, format, cutSeed) = input;
            var full = EtcdctlPrinter.Print(cluster.Statuses, format, cluster.Version);
            var cut = Encoding.UTF8.GetBytes(full[..(cutSeed % full.TrimEnd().Length)]);
            var found = new EndpointRevision[8];

            var status = RevisionExtractor.TryExtract(cut, found, out var count, out var compact, out var error);
            var revisions = found.Select(r => r.Revision).ToArray();

            if (status == OperationStatus.Done)
            {
                // A fields record cut after its last line is complete; anything else must not be Done.
                Assert.Equal("fields", format);
                Assert.Equal(cluster.Statuses.Take(count).Select(s => s.Revision!.Value), revisions[..count]);
                Assert.Equal(revisions[..count].Max(), compact);
            }
            else
            {
                Assert.NotNull(error);
                Assert.Equal(0, compact);
                Assert.True(format == "fields" || status == OperationStatus.NeedMoreData || (cut.Length == 0 && error.Kind == EtcdctlParseErrorKind.Empty),
                    $"{format}: {status} {error}");
            }

            return true;
        }));
    }

    [Fact]
    public void MutatedOutput_OfAnyCommand_NeverThrowsAnythingButTheParseException()
    {
        var arbitrary =
            (from cluster in StatusGenerators.Cluster
             from format in Gen.Elements(StatusGenerators.Formats)
             from mutations in Mutation.ArrayOf().Where(m => m.Length is > 0 and < 8)
             select Mutate(EtcdctlPrinter.Print(cluster.Statuses, format, cluster.Version), mutations)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(arbitrary, text =>
        {
            AssertOnlyDocumentedFailures(text);
            return true;
        }));
    }

    [Fact]
    public void MutatedRealCaptures_OfEveryCommand_NeverThrowAnythingButTheParseException()
    {
        string[] captures = [.. Directory.GetFiles(Path.GetDirectoryName(Fixtures.RealPath("endpoint-status", "json"))!).Select(File.ReadAllText)];
        var arbitrary =
            (from capture in Gen.Elements(captures)
             from mutations in Mutation.ArrayOf().Where(m => m.Length is > 0 and < 8)
             select Mutate(capture, mutations)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(arbitrary, text =>
        {
            AssertOnlyDocumentedFailures(text);
            return true;
        }));
    }

    [Fact]
    public void ArbitraryText_NeverThrowsAnythingButTheParseException()
    {
        var arbitrary = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>().Where(s => s is not null),
            Gen.Elements(s_tokens).ArrayOf().Select(string.Concat)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(1000), Prop.ForAll(arbitrary, text =>
        {
            AssertOnlyDocumentedFailures(text);
            return true;
        }));
    }

    [Fact]
    public void ArbitraryBytes_GivenToTheRevisionExtractor_NeverThrow()
    {
        var arbitrary = Gen.OneOf(
            ArbMap.Default.GeneratorFor<byte[]>().Where(b => b is not null),
            Gen.Elements(s_tokens).ArrayOf().Select(t => Encoding.UTF8.GetBytes(string.Concat(t))),
            Gen.Elements(s_tokens).ArrayOf().Zip(ArbMap.Default.GeneratorFor<byte>().ArrayOf())
                .Select(t => Encoding.UTF8.GetBytes("[{\"Endpoint\":\"a\",\"Status\":{\"header\":{\"revision\":" + string.Concat(t.Item1)).Concat(t.Item2).ToArray())).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(2000), Prop.ForAll(arbitrary, bytes =>
        {
            var status = RevisionExtractor.TryExtract(bytes, new EndpointRevision[2], out var count, out var compact, out var error);
            Assert.Equal(status is OperationStatus.Done or OperationStatus.DestinationTooSmall, error is null);
            Assert.True(count >= 0);
            Assert.True(status is OperationStatus.Done or OperationStatus.DestinationTooSmall ? count > 0 : compact == 0);
            return true;
        }));
    }

    private static Gen<(int Kind, int Position, int Length, string Token)> Mutation =>
        from kind in Gen.Choose(0, 3)
        from position in Gen.Choose(0, int.MaxValue)
        from length in Gen.Choose(1, 12)
        from token in Gen.Elements(s_tokens)
        select (kind, position, length, token);

    private static string Mutate(string text, (int Kind, int Position, int Length, string Token)[] mutations)
    {
        var builder = new StringBuilder(text);
        foreach (var (kind, position, length, token) in mutations)
        {
            var at = builder.Length == 0 ? 0 : position % builder.Length;
            switch (kind)
            {
                case 0:
                    builder.Remove(at, Math.Min(length, builder.Length - at));
                    break;
                case 1:
                    builder.Insert(at, token);
                    break;
                case 2 when builder.Length > 0:
                    builder[at] = token.Length > 0 ? token[0] : ' ';
                    break;
                default:
                    // Duplicate a piece (a repeated line or value).
                    var piece = builder.ToString(at, Math.Min(length * 4, builder.Length - at));
                    builder.Insert(at, piece);
                    break;
            }
        }

        return builder.ToString();
    }

    /// <summary>Every entry point, every format: TryParse never throws; Parse throws only the parse exception.</summary>
    internal static void AssertOnlyDocumentedFailures(string text)
    {
        foreach (var format in Enum.GetValues<EtcdctlOutputFormat>())
        {
            EtcdctlOutput.TryParseEndpointStatus(text, format, out _, out _);
            EtcdctlOutput.TryParseMemberList(text, format, out _, out _);
            EtcdctlOutput.TryParseAlarmList(text, format, out _, out _);
            EtcdctlOutput.TryParseEndpointHealth(text, format, out _, out _);
            EtcdctlOutput.TryParseEndpointHashKv(text, format, out _, out _);
            var ex = Record.Exception(() => EtcdctlOutput.ParseEndpointStatus(text, format).ToClusterStatus());
            Assert.True(ex is null or EtcdctlParseException, ex?.ToString());
        }

        EtcdctlOutput.TryDetectFormat(text, out _);
        var status = RevisionExtractor.TryExtract(Encoding.UTF8.GetBytes(text), new EndpointRevision[2], out _, out var compact, out var error);
        Assert.Equal(status is OperationStatus.Done or OperationStatus.DestinationTooSmall, error is null);
        RevisionExtractor.TryGetCompactRevision(text, out _, out _);
        var extract = Record.Exception(() => RevisionExtractor.Extract(text));
        Assert.True(extract is null or EtcdctlParseException, extract?.ToString());
        Assert.True(compact >= 0);
    }
}
