using System.Text.Json;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Benchmarks.Parsing;

/// <summary>
/// The revision to compact at, from 3-endpoint <c>etcdctl endpoint status -w json</c> output (1,098 bytes): the
/// library's projection of the endpoint status JSON reader (one Utf8JsonReader pass that checks every byte) against a
/// JsonDocument walk (baseline), the egrep pipeline's regex, and the floor of a bare Utf8JsonReader pass.
/// </summary>
[MemoryDiagnoser]
public partial class RevisionExtractionBenchmarks
{
    private readonly byte[] _json = EtcdctlSamples.Utf8(EtcdctlSamples.Json);
    private readonly byte[] _fields = EtcdctlSamples.Utf8(EtcdctlSamples.Fields);
    private readonly string _jsonText = EtcdctlSamples.Json;
    private readonly EndpointRevision[] _revisions = new EndpointRevision[8];

    [Benchmark(Baseline = true, Description = "JsonDocument walk")]
    public long JsonDocumentExtraction()
    {
        using var document = JsonDocument.Parse(_json);
        var max = long.MinValue;
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            max = Math.Max(max, entry.GetProperty("Status").GetProperty("header").GetProperty("revision").GetInt64());
        }

        return max;
    }

    /// <summary>
    /// The floor for any reader built on Utf8JsonReader: every token read once, nothing checked, nothing kept. A reader
    /// that checks the values cannot be faster than this.
    /// </summary>
    [Benchmark(Description = "Utf8JsonReader floor (tokens only)")]
    public long Utf8JsonReaderFloor()
    {
        var reader = new Utf8JsonReader(_json);
        long tokens = 0;
        while (reader.Read())
        {
            tokens++;
        }

        return tokens;
    }

    [Benchmark(Description = "TryGetCompactRevision(bytes)")]
    public long CompactRevisionFromBytes()
    {
        RevisionExtractor.TryGetCompactRevision(_json, out var revision, out _);
        return revision;
    }

    [Benchmark(Description = "TryExtract(bytes, Span<EndpointRevision>)")]
    public long EveryRevisionFromBytes()
    {
        RevisionExtractor.TryExtract(_json, _revisions, out _, out var revision, out _);
        return revision;
    }

    [Benchmark(Description = "TryGetCompactRevision(string)")]
    public long CompactRevisionFromString()
    {
        RevisionExtractor.TryGetCompactRevision(_jsonText, out var revision, out _);
        return revision;
    }

    [Benchmark(Description = "TryGetCompactRevision(fields bytes)")]
    public long CompactRevisionFromFieldsBytes()
    {
        RevisionExtractor.TryGetCompactRevision(_fields, out var revision, out _);
        return revision;
    }

    [Benchmark(Description = "egrep-style regex")]
    public long EgrepRegex()
    {
        var max = long.MinValue;
        foreach (var match in RevisionRegex().EnumerateMatches(_jsonText))
        {
            var digits = _jsonText.AsSpan(match.Index + "\"revision\":".Length, match.Length - "\"revision\":".Length);
            max = Math.Max(max, long.Parse(digits, System.Globalization.CultureInfo.InvariantCulture));
        }

        return max;
    }

    [GeneratedRegex("\"revision\":[0-9]+")]
    private static partial Regex RevisionRegex();
}
