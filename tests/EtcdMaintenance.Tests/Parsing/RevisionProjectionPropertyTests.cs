using System.Buffers;
using System.Text;
using EtcdMaintenance.Parsing;
using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Parsing;

/// <summary>
/// The revision extractor is a projection of the endpoint status parser's JSON reader: on every input where one reads
/// revisions, the other reads the same ones, and whatever the full parser refuses the projection refuses too.
/// </summary>
public sealed class RevisionProjectionPropertyTests
{
    private static readonly string[] s_tokens =
        ["{", "}", "[", "]", ",", ":", "\"", " ", "0", "7", "-", ".", "e", "true", "null", "\"revision\":", "\"header\":{", "\"Status\":{", "x", "é", "\t"];

    [Fact]
    public void Projection_OnStatusJsonWithSpacesBetweenTokens_ReadsWhatTheFullParserReads()
    {
        var arbitrary =
            (from cluster in StatusGenerators.Cluster
             from spaces in Gen.Choose(0, 3).ArrayOf()
             select (cluster, spaces)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(arbitrary, input =>
        {
            var (cluster, spaces) = input;
            var json = SpaceOut(EtcdctlPrinter.Print(cluster.Statuses, "json", cluster.Version), spaces);

            var projection = Run(Encoding.UTF8.GetBytes(json));
            var full = EtcdctlOutput.ParseEndpointStatus(json);

            Assert.Equal(OperationStatus.Done, projection.Status);
            Assert.Equal(full.Statuses.Select(s => s.Revision!.Value), projection.Revisions);
            Assert.Equal(full.CompactRevision, projection.Compact);
            Assert.Equal(cluster.Statuses.Select(s => s.Revision!.Value), projection.Revisions);
            return true;
        }));
    }

    [Fact]
    public void Projection_OnMutatedStatusJson_NeverAcceptsWhatTheFullParserRefuses()
    {
        var arbitrary =
            (from cluster in StatusGenerators.Cluster
             from edits in (from kind in Gen.Choose(0, 2)
                            from at in Gen.Choose(0, int.MaxValue)
                            from token in Gen.Elements(s_tokens)
                            select (kind, at, token)).ArrayOf().Where(e => e.Length is > 0 and < 5)
             select Mutate(EtcdctlPrinter.Print(cluster.Statuses, "json", cluster.Version), edits)).ToArbitrary();
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(3000), Prop.ForAll(arbitrary, json =>
        {
            var projection = Run(Encoding.UTF8.GetBytes(json));
            var parsed = EtcdctlOutput.TryParseEndpointStatus(json, EtcdctlOutputFormat.Json, out var full, out var error);

            if (projection.Status == OperationStatus.Done)
            {
                Assert.True(parsed, error?.Message);
                Assert.Equal(full!.Statuses.Select(s => s.Revision!.Value), projection.Revisions);
                Assert.Equal(full.CompactRevision, projection.Compact);
            }
            else
            {
                Assert.NotNull(projection.Kind);
            }

            if (!parsed)
            {
                Assert.NotEqual(OperationStatus.Done, projection.Status);
            }

            return true;
        }));
    }

    private static Result Run(byte[] bytes)
    {
        var revisions = new EndpointRevision[8];
        var status = RevisionExtractor.TryExtract(bytes, revisions, out var count, out var compact, out var error);
        return new Result(status, [.. revisions.Take(Math.Min(count, revisions.Length)).Select(r => r.Revision)], compact, error?.Kind);
    }

    private static string SpaceOut(string json, int[] spaces)
    {
        // Spaces after structural characters outside strings (Go prints none; people and other tools do).
        var builder = new StringBuilder();
        var inString = false;
        var n = 0;
        foreach (var c in json)
        {
            builder.Append(c);
            if (c == '"')
            {
                inString = !inString;
            }
            else if (!inString && c is '{' or '[' or ',' or ':' && spaces.Length > 0)
            {
                builder.Append(' ', spaces[n++ % spaces.Length]);
            }
        }

        return builder.ToString();
    }

    private static string Mutate(string text, (int Kind, int At, string Token)[] edits)
    {
        var builder = new StringBuilder(text);
        foreach (var (kind, at, token) in edits)
        {
            var position = at % Math.Max(1, builder.Length);
            switch (kind)
            {
                case 0:
                    builder.Remove(position, Math.Min(1 + (at % 3), builder.Length - position));
                    break;
                case 1:
                    builder.Insert(position, token);
                    break;
                default:
                    if (builder.Length > 0)
                    {
                        builder[position] = token[0];
                    }

                    break;
            }
        }

        return builder.ToString();
    }

    private sealed record Result(OperationStatus Status, long[] Revisions, long Compact, EtcdctlParseErrorKind? Kind)
    {
        public bool Equals(Result? other) =>
            other is not null && Status == other.Status && Revisions.SequenceEqual(other.Revisions) && Compact == other.Compact && Kind == other.Kind;

        public override int GetHashCode() => HashCode.Combine(Status, Compact, Kind);
    }
}
