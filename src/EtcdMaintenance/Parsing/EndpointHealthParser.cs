using System.Text.Json;
using static EtcdMaintenance.Parsing.ParseSupport;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// Parses <c>etcdctl endpoint health</c> output: <c>-w json</c>, <c>-w table</c>, <c>-w fields</c>, and the
/// <c>-w simple</c> lines (which etcdctl writes to standard error: <c>X is healthy: ... took = 2ms</c>).
/// </summary>
internal static class EndpointHealthParser
{
    private const string Command = "endpoint health";
    private const string HealthyMarker = " is healthy: ";
    private const string UnhealthyMarker = " is unhealthy: ";

    public static IReadOnlyList<EtcdctlEndpointHealth> Parse(string output, EtcdctlOutputFormat format)
    {
        var text = new OutputText(output);
        var first = OutputLines.FirstContent(text) ?? throw NoOutput(text, "etcdctl endpoint health output");
        var detected = format == EtcdctlOutputFormat.Auto ? OutputLines.DetectFormat(text[first]) : format;
        return detected switch
        {
            EtcdctlOutputFormat.Json => ParseJson(text, first),
            EtcdctlOutputFormat.Table => ParseTable(text),
            EtcdctlOutputFormat.Fields => ParseFields(text),
            _ => ParseSimple(text),
        };
    }

    private static List<EtcdctlEndpointHealth> ParseJson(OutputText text, TextLine first)
    {
        RejectForeignLines(text, Before(text, first), Command);
        var json = new EtcdctlJson(text.Utf8, text.ByteOffset(first), stackalloc JsonName[64]);
        json.Read("a JSON array of endpoint health");
        if (json.TokenType != JsonTokenType.StartArray)
        {
            throw json.Error(json.TokenType == JsonTokenType.StartObject ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed,
                "endpoint health output, a JSON array of {\"endpoint\", \"health\", \"took\"}");
        }

        var results = new List<EtcdctlEndpointHealth>();
        while (true)
        {
            json.Read("an endpoint health object or ']'");
            if (json.TokenType == JsonTokenType.EndArray)
            {
                break;
            }

            if (json.TokenType != JsonTokenType.StartObject)
            {
                throw json.Error(EtcdctlParseErrorKind.Malformed, "an endpoint health object");
            }

            string? endpoint = null, error = null;
            bool? health = null;
            TimeSpan? took = null;
            string? other = null;
            while (true)
            {
                json.Read("a property name or '}'");
                if (json.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

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
                    var value = json.String("error as a JSON string");
                    error = value.Length == 0 ? null : value;
                }
                else
                {
                    other ??= json.NameIs("Status"u8) ? "endpoint status" : json.NameIs("HashKV"u8) ? "endpoint hashkv" : null;
                    json.SkipValue();
                }
            }

            if (endpoint is null || health is null)
            {
                throw json.Error(other is null ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand,
                    other is null ? "\"endpoint\" and \"health\" in each entry" : $"endpoint health output (this is {other} output)");
            }

            results.Add(new EtcdctlEndpointHealth(endpoint, health.Value, took, error));
        }

        RejectForeignLines(text, text.LinesFrom(json.CheckEnd()), Command);
        return results;
    }

    private static List<EtcdctlEndpointHealth> ParseTable(OutputText text)
    {
        var table = TextTable.Read(text);
        RejectForeignLines(text, table.OtherLines, Command);
        var endpointColumn = table.Require("ENDPOINT", Command);
        var healthColumn = table.Require("HEALTH", Command);
        var tookColumn = table.IndexOf("TOOK");
        var errorColumn = table.IndexOf("ERROR", "ERRORS");
        var results = new List<EtcdctlEndpointHealth>();
        foreach (var row in table.Rows)
        {
            var c = row.Cells;
            var health = Boolean(text, row.Line, row.CellColumns[healthColumn], c[healthColumn], "true or false (HEALTH)");
            TimeSpan? took = null;
            if (tookColumn >= 0 && c[tookColumn].Length > 0)
            {
                took = GoDuration.TryParse(c[tookColumn], out var duration)
                    ? duration
                    : throw text.Error(EtcdctlParseErrorKind.Malformed, row.Line, row.CellColumns[tookColumn], "a Go duration such as 2.720259ms (TOOK)");
            }

            var error = errorColumn >= 0 && c[errorColumn].Length > 0 ? c[errorColumn] : null;
            results.Add(new EtcdctlEndpointHealth(c[endpointColumn], health, took, error));
        }

        return results;
    }

    private static List<EtcdctlEndpointHealth> ParseSimple(OutputText text)
    {
        var results = new List<EtcdctlEndpointHealth>();
        foreach (var line in text.Lines)
        {
            var span = text[line];
            if (OutputLines.Classify(span) != LineKind.Content)
            {
                RejectForeignLines(text, [line], Command);
                continue;
            }

            var lead = span.Length - span.TrimStart().Length;
            var trimmed = span.Trim();
            var healthy = trimmed.IndexOf(HealthyMarker, StringComparison.Ordinal);
            var unhealthy = trimmed.IndexOf(UnhealthyMarker, StringComparison.Ordinal);
            if (healthy > 0 && (unhealthy < 0 || healthy < unhealthy))
            {
                // X is healthy: successfully committed proposal: took = 2.1ms
                const string tookMarker = "took = ";
                var tookAt = trimmed.LastIndexOf(tookMarker, StringComparison.Ordinal);
                TimeSpan? took = null;
                if (tookAt >= 0)
                {
                    took = GoDuration.TryParse(trimmed[(tookAt + tookMarker.Length)..], out var duration)
                        ? duration
                        : throw text.Error(EtcdctlParseErrorKind.Malformed, line, lead + tookAt + tookMarker.Length, "a Go duration such as 2.720259ms");
                }

                results.Add(new EtcdctlEndpointHealth(trimmed[..healthy].ToString(), true, took, null));
            }
            else if (unhealthy > 0)
            {
                // X is unhealthy: failed to commit proposal: ERROR
                var rest = trimmed[(unhealthy + UnhealthyMarker.Length)..];
                const string proposal = "failed to commit proposal: ";
                var error = rest.StartsWith(proposal, StringComparison.Ordinal) ? rest[proposal.Length..] : rest;
                results.Add(new EtcdctlEndpointHealth(trimmed[..unhealthy].ToString(), false, null, error.ToString()));
            }
            else
            {
                var other = CommandOfSimple(span);
                throw text.Error(other is not null ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, line, lead,
                    other is not null ? $"endpoint health output (this line is {other} output)" : "'ENDPOINT is healthy: ...' or 'ENDPOINT is unhealthy: ...'");
            }
        }

        return results;
    }

    private static List<EtcdctlEndpointHealth> ParseFields(OutputText text)
    {
        var others = new List<TextLine>();
        var fields = FieldsText.Read(text, others);
        RejectForeignLines(text, others, Command);
        var records = FieldsText.Records(fields, "Endpoint", out var prologue);
        var other = CommandOfFields(fields.Select(f => f.Key));
        if (prologue.Count > 0 || (other is not null && other != Command))
        {
            throw text.Error(other is not null && other != Command ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, fields[0].Line, 0,
                other is not null && other != Command ? $"endpoint health output (this is {other} output)" : "a record starting with \"Endpoint\"");
        }

        var results = new List<EtcdctlEndpointHealth>();
        for (var r = 0; r < records.Count; r++)
        {
            var record = records[r];
            var endpoint = FieldsText.Quoted(text, record[0]);
            bool? health = null;
            TimeSpan? took = null;
            string? error = null;
            foreach (var field in record)
            {
                switch (field.Key)
                {
                    case "Health": health = FieldsText.Boolean(text, field); break;
                    case "Took" when field.Value.Length > 0:
                        took = GoDuration.TryParse(field.Value, out var duration)
                            ? duration
                            : throw text.Error(EtcdctlParseErrorKind.Malformed, field.Line, field.ValueColumn, "a Go duration such as 2.720259ms");
                        break;
                    case "Error": error = field.Value.Length == 0 ? null : field.Value; break;
                }
            }

            if (health is null || (r == records.Count - 1 && record[^1].Key != "Error"))
            {
                var last = record[^1].Line;
                throw r == records.Count - 1
                    ? new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, last.Number, last.Length + 1, "the \"Health\", \"Took\" and \"Error\" lines of the endpoint", "the end of the output"))
                    : text.Error(EtcdctlParseErrorKind.Malformed, record[0].Line, 0, "a \"Health\" line in the record starting here");
            }

            results.Add(new EtcdctlEndpointHealth(endpoint, health.Value, took, error));
        }

        return results;
    }
}
