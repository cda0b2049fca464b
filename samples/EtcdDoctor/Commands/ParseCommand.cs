using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using EtcdMaintenance;
using EtcdMaintenance.Parsing;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary>
/// <c>etcd-doctor parse</c>: reads <c>etcdctl endpoint status</c> output on standard input (any format, any etcdctl
/// 3.4-3.6, standard error mixed in or not) and prints it normalized, or only the revision to compact at: a drop-in for
/// <c>etcdctl endpoint status -w json | egrep -o '"revision":[0-9]*' | egrep -o '[0-9]*'</c> that fails loudly instead
/// of printing a wrong number when the format changes.
/// </summary>
internal static class ParseCommand
{
    /// <summary>Exit code when the input is not etcdctl endpoint status output (or does not print the revision).</summary>
    public const int ParseFailed = 1;

    public static Command Create()
    {
        var format = new Option<string>("--format", "-f")
        {
            Description = "The etcdctl -w format of the input; auto detects it.",
            DefaultValueFactory = _ => "auto",
        };
        format.AcceptOnlyFromAmong("auto", "json", "table", "fields", "simple");

        var revision = new Option<bool>("--revision")
        {
            Description = "Print only the revision to compact at (the highest endpoint revision). Needs -w json or -w fields input.",
        };

        var command = new Command("parse", """
            Read etcdctl endpoint status output on standard input and print it normalized (-o json or -w json for JSON), or just
            the revision to compact at. Exit code 1 when the input is not etcdctl output or does not carry the revision.

            Example: etcdctl endpoint status -w json | etcd-doctor parse --revision
            """)
        {
            format,
            revision,
        };
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var stdout = parseResult.InvocationConfiguration.Output;
            var stderr = parseResult.InvocationConfiguration.Error;
            using var input = new MemoryStream();
            await using (var stdin = Console.OpenStandardInput())
            {
                await stdin.CopyToAsync(input, cancellationToken);
            }

            var bytes = input.GetBuffer().AsMemory(0, (int)input.Length);
            var stated = Enum.Parse<EtcdctlOutputFormat>(parseResult.GetValue(format) ?? "auto", ignoreCase: true);
            if (parseResult.GetValue(revision))
            {
                if (stated is EtcdctlOutputFormat.Table or EtcdctlOutputFormat.Simple)
                {
                    await stderr.WriteLineAsync($"etcd-doctor parse: etcdctl's -w {stated.ToString().ToLowerInvariant()} does not print the revision; use -w json or -w fields.");
                    return ParseFailed;
                }

                return PrintRevision(bytes.Span, stdout, stderr);
            }

            var text = System.Text.Encoding.UTF8.GetString(bytes.Span);
            if (!EtcdctlOutput.TryParseEndpointStatus(text, stated, out var status, out var error))
            {
                await stderr.WriteLineAsync($"etcd-doctor parse: {error.Message}");
                return ParseFailed;
            }

            if (Output.IsJson(parseResult))
            {
                await stdout.WriteLineAsync(JsonSerializer.Serialize(ParsedStatus.From(status), ParseJsonContext.Default.ParsedStatus));
            }
            else
            {
                PrintTable(status, stdout, Output.IsWide(parseResult));
            }

            return 0;
        });
        return command;
    }

    private static int PrintRevision(ReadOnlySpan<byte> input, TextWriter stdout, TextWriter stderr)
    {
        if (!RevisionExtractor.TryGetCompactRevision(input, out var compact, out var error))
        {
            stderr.WriteLine($"etcd-doctor parse: {error.Message}");
            return ParseFailed;
        }

        stdout.WriteLine(compact.ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static void PrintTable(EtcdctlStatusOutput status, TextWriter writer, bool wide)
    {
        var console = Output.CreateConsole(writer, ReferenceEquals(writer, Console.Out) && !Console.IsOutputRedirected, wide);
        var statuses = status.Statuses;
        var columns = new List<(string Name, Func<EndpointStatus, string> Cell)>
        {
            ("Endpoint", s => Markup.Escape(s.Endpoint)),
            ("Member", s => s.MemberId.ToString()),
            ("Version", s => Markup.Escape(s.Version)),
            ("DB size", s => Size(s.DbSize, s.SizesAreApproximate)),
        };
        if (statuses.Any(s => s.DbSizeInUse is not null))
        {
            columns.Add(("In use", s => s.DbSizeInUse is { } inUse ? Size(inUse, s.SizesAreApproximate) : "-"));
            columns.Add(("Fragmented", s => s.FragmentationRatio is { } ratio ? ratio.ToString("P0", CultureInfo.InvariantCulture) : "-"));
        }

        if (statuses.Any(s => s.DbSizeQuota is not null))
        {
            columns.Add(("Quota", s => s.DbSizeQuota is { } quota ? Size(quota, s.SizesAreApproximate) : "-"));
        }

        columns.Add(("Leader", s => s.IsLeader ? "[green]yes[/]" : "no"));
        columns.Add(("Learner", s => s.IsLearner ? "yes" : "no"));
        columns.Add(("Raft term", s => s.RaftTerm.ToString(CultureInfo.InvariantCulture)));
        columns.Add(("Raft index", s => s.RaftIndex.ToString(CultureInfo.InvariantCulture)));
        columns.Add(("Applied", s => s.RaftAppliedIndex.ToString(CultureInfo.InvariantCulture)));
        if (status.HasRevisions)
        {
            columns.Add(("Revision", s => s.Revision?.ToString(CultureInfo.InvariantCulture) ?? "-"));
        }

        columns.Add(("Errors", s => s.Errors.Count == 0 ? string.Empty : "[red]" + Markup.Escape(string.Join(", ", s.Errors.Select(e => e.Trim()))) + "[/]"));

        var table = new Table().Border(TableBorder.Rounded);
        foreach (var (name, _) in columns)
        {
            table.AddColumn(new TableColumn(name));
        }

        foreach (var s in statuses)
        {
            table.AddRow([.. columns.Select(c => c.Cell(s))]);
        }

        foreach (var failure in status.Failures)
        {
            var cells = Enumerable.Repeat(string.Empty, columns.Count).ToArray();
            cells[0] = Markup.Escape(failure.Endpoint);
            cells[1] = "[red]unreachable[/]";
            cells[^1] = "[red]" + Markup.Escape(failure.Message) + "[/]";
            table.AddRow(cells);
        }

        console.Write(table);
        var input = status.Format.ToString().ToLowerInvariant();
        console.MarkupLine(status.CompactRevision is { } revision
            ? $"Read -w {input}. Revision to compact at: [bold]{revision}[/]."
            : status.HasRevisions
                ? $"Read -w {input}; no endpoint answered, so there is no revision to compact at."
                : $"Read -w {input}, which prints no revisions; sizes marked ~ were rounded by etcdctl.");
    }

    /// <summary>A size the way etcdctl prints it (SI units); rounded values, as read from a table, are marked with ~.</summary>
    private static string Size(long bytes, bool approximate)
    {
        string[] units = ["B", "kB", "MB", "GB", "TB", "PB", "EB"];
        double value = bytes;
        var unit = 0;
        while (value >= 1000 && unit < units.Length - 1)
        {
            value /= 1000;
            unit++;
        }

        var text = unit == 0 ? $"{bytes} B" : value.ToString("0.#", CultureInfo.InvariantCulture) + " " + units[unit];
        return approximate && unit > 0 ? "~" + text : text;
    }
}

/// <summary>The normalized status that <c>etcd-doctor parse -o json</c> prints.</summary>
internal sealed record ParsedStatus(string Format, long? CompactRevision, IReadOnlyList<ParsedEndpoint> Endpoints, IReadOnlyList<EtcdctlEndpointFailure> Failures)
{
    public static ParsedStatus From(EtcdctlStatusOutput output) => new(
        output.Format.ToString().ToLowerInvariant(),
        output.CompactRevision,
        [.. output.Statuses.Select(s => new ParsedEndpoint(
            s.Endpoint, s.MemberId.ToString(), s.Version, s.DbSize, s.DbSizeInUse, s.DbSizeQuota, s.SizesAreApproximate,
            s.Leader.IsNone ? null : s.Leader.ToString(), s.IsLeader, s.IsLearner, s.RaftTerm, s.RaftIndex, s.RaftAppliedIndex,
            s.Header?.ClusterIdHex, s.Revision, s.StorageVersion, s.FragmentationRatio, s.Errors))],
        output.Failures);
}

/// <summary>One endpoint in <c>etcd-doctor parse -o json</c>; member IDs in hex, as etcdctl prints them.</summary>
internal sealed record ParsedEndpoint(
    string Endpoint,
    string MemberId,
    string Version,
    long DbSize,
    long? DbSizeInUse,
    long? DbSizeQuota,
    bool SizesAreApproximate,
    string? Leader,
    bool IsLeader,
    bool IsLearner,
    ulong RaftTerm,
    ulong RaftIndex,
    ulong RaftAppliedIndex,
    string? ClusterId,
    long? Revision,
    string? StorageVersion,
    double? FragmentationRatio,
    IReadOnlyList<string> Errors);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ParsedStatus))]
internal sealed partial class ParseJsonContext : JsonSerializerContext;
