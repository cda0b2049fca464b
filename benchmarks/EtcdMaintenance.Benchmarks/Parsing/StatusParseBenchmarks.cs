using System.Text.Json;
using BenchmarkDotNet.Attributes;
using EtcdMaintenance.Parsing;

namespace EtcdMaintenance.Benchmarks.Parsing;

/// <summary>
/// A full parse of 3-endpoint <c>etcdctl endpoint status</c> output into <see cref="EndpointStatus"/> records, in each
/// format; the baseline maps the JSON by hand with JsonDocument (what a caller would write without the library).
/// </summary>
[MemoryDiagnoser]
public class StatusParseBenchmarks
{
    private readonly string _json = EtcdctlSamples.Json;
    private readonly string _table = EtcdctlSamples.Table;
    private readonly string _fields = EtcdctlSamples.Fields;
    private readonly string _simple = EtcdctlSamples.Simple;

    [Benchmark(Baseline = true, Description = "JsonDocument mapping (json)")]
    public int JsonDocumentMapping()
    {
        using var document = JsonDocument.Parse(_json);
        var statuses = new List<EndpointStatus>();
        foreach (var entry in document.RootElement.EnumerateArray())
        {
            var s = entry.GetProperty("Status");
            var h = s.GetProperty("header");
            statuses.Add(new EndpointStatus(
                entry.GetProperty("Endpoint").GetString()!, h.GetProperty("member_id").GetUInt64(), s.GetProperty("version").GetString()!,
                s.GetProperty("dbSize").GetInt64(), s.GetProperty("leader").GetUInt64(), s.GetProperty("raftIndex").GetUInt64(),
                s.GetProperty("raftTerm").GetUInt64(), s.GetProperty("raftAppliedIndex").GetUInt64())
            {
                Header = new ResponseHeader(h.GetProperty("cluster_id").GetUInt64(), h.GetProperty("member_id").GetUInt64(),
                    h.GetProperty("revision").GetInt64(), h.GetProperty("raft_term").GetUInt64()),
                DbSizeInUse = s.GetProperty("dbSizeInUse").GetInt64(),
                Errors = [.. s.GetProperty("errors").EnumerateArray().Select(e => e.GetString()!)],
            });
        }

        return statuses.Count;
    }

    [Benchmark(Description = "ParseEndpointStatus(json)")]
    public int Json() => EtcdctlOutput.ParseEndpointStatus(_json).Statuses.Count;

    [Benchmark(Description = "ParseEndpointStatus(table)")]
    public int Table() => EtcdctlOutput.ParseEndpointStatus(_table).Statuses.Count;

    [Benchmark(Description = "ParseEndpointStatus(fields)")]
    public int Fields() => EtcdctlOutput.ParseEndpointStatus(_fields).Statuses.Count;

    [Benchmark(Description = "ParseEndpointStatus(simple)")]
    public int Simple() => EtcdctlOutput.ParseEndpointStatus(_simple).Statuses.Count;
}
