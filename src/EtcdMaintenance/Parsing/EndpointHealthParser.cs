using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// Parses <c>etcdctl endpoint health</c> output: <c>-w json</c>, <c>-w table</c>, <c>-w fields</c>, and the
/// <c>-w simple</c> lines (which etcdctl writes to standard error: <c>X is healthy: ... took = 2ms</c>).
/// </summary>
internal sealed class EndpointHealthParser() : EtcdctlCommandParser("endpoint health")
{
    public static readonly EndpointHealthParser Instance = new();

    protected override int ReadJson(EtcdctlText text, TextLine first, ReadOnlySpan<byte> utf8, int start)
    {
        // [{"endpoint": "...", "health": true, "took": "2.1ms", "error": "..."}]
        var json = new EtcdctlJson(utf8, start, stackalloc JsonName[64]);
        json.Start(JsonTokenType.StartArray, "endpoint health output, a JSON array of {\"endpoint\", \"health\", \"took\"}");

        while (json.NextObject("an endpoint health object or ']'", "an endpoint health object"))
        {
            string? endpoint = null, error = null, other = null;
            bool? health = null;
            TimeSpan? took = null;
            while (json.NextProperty("a property name or '}'"))
            {
                if (json.NameIs("endpoint"u8))
                {
                    endpoint = json.String("endpoint as a JSON string");
                }
                else if (json.NameIs("health"u8))
                {
                    health = json.Boolean("health as true or false");
                }
                else if (json.NameIs("took"u8))
                {
                    var value = json.String("took as a JSON string such as \"2.5ms\"");
                    took = value.Length == 0 ? null : GoDuration.TryParse(value, out var duration) ? duration
                        : throw json.Error(EtcdctlParseErrorKind.Malformed, "a Go duration such as 2.720259ms");
                }
                else if (json.NameIs("error"u8))
                {
                    error = json.String("error as a JSON string") is { Length: > 0 } value ? value : null;
                }
                else
                {
                    json.SkipOther(ref other);
                }
            }

            text.Add(first, endpoint is null || health is null
                ? throw json.Error(other is null ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand,
                    other is null ? "\"endpoint\" and \"health\" in each entry" : $"endpoint health output (this is {other} output)")
                : new EtcdctlEndpointHealth { Endpoint = endpoint, IsHealthy = health.Value, Took = took, Error = error });
        }

        return json.CheckEnd();
    }

    protected override void ReadTable(EtcdctlText text)
    {
        var table = EtcdctlTable.Read(text);
        table.Require("ENDPOINT", "HEALTH");
        foreach (var row in table.Rows)
        {
            var endpoint = row.Get("ENDPOINT");
            text.Add(endpoint.Line, new EtcdctlEndpointHealth
            {
                Endpoint = endpoint.Value,
                IsHealthy = text.Boolean(row.Get("HEALTH")),
                Took = text.Duration(row.Find("TOOK")),
                Error = row.Optional("ERROR", "ERRORS")?.Value,
            });
        }
    }

    protected override void ReadSimple(EtcdctlText text)
    {
        const string healthy = " is healthy: ", unhealthy = " is unhealthy: ", tookMarker = "took = ", proposal = "failed to commit proposal: ";
        foreach (var line in text.ContentLines())
        {
            var span = text[line];
            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.Trim();
            var healthyAt = trimmed.IndexOf(healthy, StringComparison.Ordinal);
            var unhealthyAt = trimmed.IndexOf(unhealthy, StringComparison.Ordinal);
            if (healthyAt > 0 && (unhealthyAt < 0 || healthyAt < unhealthyAt))
            {
                // X is healthy: successfully committed proposal: took = 2.1ms
                var tookAt = trimmed.LastIndexOf(tookMarker, StringComparison.Ordinal);
                var took = tookAt < 0 ? null : text.Duration(new Cell("took", trimmed[(tookAt + tookMarker.Length)..].ToString(), line, lead + tookAt + tookMarker.Length));
                text.Add(line, new EtcdctlEndpointHealth { Endpoint = trimmed[..healthyAt].ToString(), IsHealthy = true, Took = took });
            }
            else if (unhealthyAt > 0)
            {
                // X is unhealthy: failed to commit proposal: ERROR
                var rest = trimmed[(unhealthyAt + unhealthy.Length)..];
                var error = rest.StartsWith(proposal, StringComparison.Ordinal) ? rest[proposal.Length..] : rest;
                text.Add(line, new EtcdctlEndpointHealth { Endpoint = trimmed[..unhealthyAt].ToString(), IsHealthy = false, Error = error.ToString() });
            }
            else
            {
                throw text.WrongCommandOr(text.CommandOfSimple(line), line, lead, "'ENDPOINT is healthy: ...' or 'ENDPOINT is unhealthy: ...'");
            }
        }
    }

    protected override void ReadFields(EtcdctlText text)
    {
        var records = text.FieldRecords("Endpoint");
        for (var r = 0; r < records.Count; r++)
        {
            // "Endpoint", "Health", "Took", "Error": the last record must reach its "Error" line.
            var record = records[r];
            var isLast = r == records.Count - 1;
            if (record.Find("Health") is not { } health || (isLast && record[^1].Name != "Error"))
            {
                throw text.Missing(record, isLast, "the \"Health\", \"Took\" and \"Error\" lines");
            }

            text.Add(record[0].Line, new EtcdctlEndpointHealth
            {
                Endpoint = text.Quoted(record[0]),
                IsHealthy = text.Boolean(health),
                Took = text.Duration(record.Find("Took")),
                Error = record.Optional("Error")?.Value,
            });
        }
    }
}
