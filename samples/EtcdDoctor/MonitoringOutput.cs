using System.CommandLine;
using System.Globalization;
using EtcdMaintenance;
using EtcdMaintenance.Monitoring;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace EtcdDoctor;

/// <summary>What <c>watch</c> and <c>check</c> share: their options, the members table, the findings list and the JSON shape.</summary>
internal static class MonitoringOutput
{
    public static Option<long?> QuotaBackendBytes() => Cli.SizeOption("--quota-backend-bytes",
        "Override each member's quota (e.g. 8GiB); by default it is read from each member (status on 3.6, /metrics on 3.4 and 3.5).");

    public static Option<TimeSpan?> Interval(TimeSpan defaultValue) =>
        Cli.DurationOption("--interval", $"Time between polls, e.g. 2s, 500ms, 1m (default {GoDuration.Format(defaultValue)}).");

    public static EtcdMaintenanceClient CreateClient(ParseResult parse, Option<long?> quota) =>
        GlobalOptions.CreateClient(parse, o => o.QuotaBackendBytes = parse.GetValue(quota));

    /// <summary>One row per member: the figures the findings are about; the default columns fit 80 columns, <paramref name="wide"/> shows all.</summary>
    public static Table Members(ClusterSnapshot snapshot, bool wide)
    {
        var table = new Table().Border(wide ? TableBorder.Rounded : TableBorder.None);
        var columns = wide
            ? new[] { "ENDPOINT", "ID", "UP", "LEADER", "DB SIZE", "IN USE", "FRAG", "QUOTA", "RAFT INDEX", "APPLIED", "TERM", "LATENCY" }
            : ["ENDPOINT", "UP", "LEADER", "DB SIZE", "FRAG", "QUOTA", "LATENCY"];
        foreach (var column in columns)
        {
            table.AddColumn(column);
        }

        foreach (var member in snapshot.Members)
        {
            var latency = string.Create(CultureInfo.InvariantCulture, $"{member.Latency.TotalMilliseconds:0.0} ms");
            var endpoint = Markup.Escape(member.Endpoint.Text);
            if (member.Status is { } s)
            {
                var role = s.IsLeader ? "[green]leader[/]" : s.IsLearner ? "learner" : "";
                table.AddRow(wide
                    ? [endpoint, s.MemberId.ToString(), "[green]up[/]", role, Output.Bytes(s.DbSize), Output.Bytes(s.DbSizeInUse), Output.Percent(s.FragmentationRatio),
                        Output.Percent(s.QuotaUsage), s.RaftIndex.ToString(CultureInfo.InvariantCulture), s.RaftAppliedIndex.ToString(CultureInfo.InvariantCulture),
                        s.RaftTerm.ToString(CultureInfo.InvariantCulture), latency]
                    : [endpoint, "[green]up[/]", role, Output.Bytes(s.DbSize), Output.Percent(s.FragmentationRatio), Output.Percent(s.QuotaUsage), latency]);
            }
            else
            {
                table.AddRow(wide
                    ? [endpoint, member.MemberId.IsNone ? "-" : member.MemberId.ToString(), "[red]down[/]", "", "-", "-", "-", "-", "-", "-", "-", latency]
                    : [endpoint, "[red]down[/]", "", "-", "-", "-", latency]);
            }
        }

        return table;
    }

    /// <summary>The findings, most severe first, each with its evidence and what to do.</summary>
    public static IRenderable Findings(IReadOnlyList<DiagnosticFinding> findings)
    {
        if (findings.Count == 0)
        {
            return new Markup("[green]No findings: nothing to do.[/]");
        }

        var table = new Table().Border(TableBorder.Rounded).Expand();
        table.AddColumn("SEVERITY");
        table.AddColumn("FINDING");
        table.AddColumn("WHAT TO DO");
        foreach (var finding in findings)
        {
            var severity = finding.Severity switch
            {
                FindingSeverity.Error => "[red]error[/]",
                FindingSeverity.Warning => "[yellow]warning[/]",
                _ => "info",
            };
            var what = $"[bold]{Markup.Escape(finding.Summary)}[/]\n[grey]{Markup.Escape(finding.Evidence)}[/]";
            var todo = Markup.Escape(finding.Recommendation.Description) +
                (finding.Recommendation.Command is { } command ? $"\n[blue]{Markup.Escape(command)}[/]" : "");
            table.AddRow(new Markup(severity), new Markup(what), new Markup(todo));
        }

        return table;
    }

    /// <summary>The round's header line: time, round, members up, leader, how long the round took.</summary>
    public static Markup Header(ClusterSnapshot snapshot) => new(string.Create(CultureInfo.InvariantCulture,
        $"[bold]{snapshot.Timestamp.ToLocalTime():HH:mm:ss}[/]  round {snapshot.Round}  {snapshot.UpCount}/{snapshot.Members.Count} members up  leader {(snapshot.Leader.IsNone ? "[red]none[/]" : snapshot.Leader.ToString())}  {snapshot.Duration.TotalMilliseconds:0.0} ms"));

    public static IRenderable Round(ClusterSnapshot snapshot, bool wide) => new Rows(Header(snapshot), Members(snapshot, wide), Findings(snapshot.Findings));

    /// <summary>The JSON shape of a round: members with their status or error, the alarms, and the findings with all their figures.</summary>
    public static object Json(ClusterSnapshot snapshot) => new
    {
        snapshot.Round,
        snapshot.Timestamp,
        DurationMs = snapshot.Duration.TotalMilliseconds,
        Leader = snapshot.Leader.IsNone ? (ulong?)null : snapshot.Leader.Value,
        LeaderHex = snapshot.Leader.IsNone ? null : snapshot.Leader.ToString(),
        Members = snapshot.Members.Select(m => new
        {
            Endpoint = m.Endpoint.Text,
            MemberId = m.MemberId.IsNone ? (ulong?)null : m.MemberId.Value,
            MemberIdHex = m.MemberId.IsNone ? null : m.MemberId.ToString(),
            m.IsUp,
            LatencyMs = m.Latency.TotalMilliseconds,
            Status = m.Status is { } s ? JsonShapes.Status(s) : null,
            Error = m.Error is { } error ? Output.Describe(error) : null,
        }),
        Alarms = snapshot.Alarms.Select(JsonShapes.Alarm),
        Findings = snapshot.Findings.Select(f => (object)f),
    };
}
