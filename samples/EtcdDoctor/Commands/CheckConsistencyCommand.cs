using System.CommandLine;
using System.Globalization;
using EtcdMaintenance.Operations;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor check-consistency</c>: are the members' data the same, and is any member suspect?</summary>
internal static class CheckConsistencyCommand
{
    public static Command Create()
    {
        var command = new Command("check-consistency", """
            Compare the members: HashKV of every voting member at one common revision (hashed again when a compaction
            moves under the check), database size divergence, applied raft index lag, and members not started,
            unreachable, unhealthy or answering for another cluster. Replacement is recommended only for a member whose
            data differs from a majority's. Give every member's endpoint. Exit code: 0 consistent, 2 a member is
            suspect, 1 the check could not run.

            Example: etcd-doctor check-consistency --endpoints=https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key
            """);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var checker = new ConsistencyChecker(client);
            ConsistencyReport report;
            if (!Output.IsJson(parse) && Output.Terminal.Profile.Capabilities.Interactive)
            {
                report = await Output.Terminal.Status().StartAsync("Checking members and hashing them at a common revision...", _ => checker.CheckAsync(cancellationToken));
            }
            else
            {
                report = await checker.CheckAsync(cancellationToken);
            }

            if (Output.IsJson(parse))
            {
                Output.WriteJson(report);
            }
            else
            {
                Write(report);
            }

            return report.IsConsistent ? 0 : 2;
        });
        return command;
    }

    private static void Write(ConsistencyReport report)
    {
        var table = new Table().Border(TableBorder.Rounded);
        foreach (var column in new[] { "NAME", "ID", "ENDPOINT", "STARTED", "HEALTHY", "LEARNER", "HASH", "COMPACT REV", "APPLIED", "DB IN USE", "FINDINGS" })
        {
            table.AddColumn(column);
        }

        foreach (var member in report.Members)
        {
            var findings = member.Findings.Count == 0 ? "[green]ok[/]" : Markup.Escape(string.Join(", ", member.Findings.Select(f => f.Issue)));
            table.AddRow(
                Markup.Escape(member.Name), member.Id.ToString(), Markup.Escape(member.Endpoint ?? "-"),
                member.IsStarted ? "yes" : "[red]no[/]",
                member.IsHealthy switch { true => "yes", false => "[red]no[/]", null => "-" },
                member.IsLearner ? "yes" : "no",
                member.Hash is { } hash ? (report.MajorityHash is { } majority && hash != majority ? $"[red]{hash}[/]" : hash.ToString(CultureInfo.InvariantCulture)) : "-",
                member.CompactRevision switch { null => "-", < 0 => "none", var r => r.Value.ToString(CultureInfo.InvariantCulture) },
                member.Status?.RaftAppliedIndex.ToString(CultureInfo.InvariantCulture) ?? "-",
                Output.Bytes(member.Status?.DbSizeInUse ?? member.Status?.DbSize),
                findings);
        }

        Output.Terminal.MarkupLine($"Cluster {report.ClusterIdHex}, hashed at revision {report.HashRevision?.ToString(CultureInfo.InvariantCulture) ?? "-"} ({report.HashAttempts} attempt(s))");
        Output.Terminal.Write(table);
        foreach (var member in report.Suspects)
        {
            foreach (var finding in member.Findings)
            {
                Output.Terminal.MarkupLine($"[yellow]{Markup.Escape(member.Name)}[/] {finding.Issue}: {Markup.Escape(finding.Message)}");
            }
        }

        foreach (var note in report.Notes)
        {
            Output.Terminal.MarkupLine($"[yellow]note[/]: {Markup.Escape(note)}");
        }

        foreach (var member in report.RecommendedReplacements)
        {
            Output.Terminal.MarkupLine($"[red]Recommended:[/] replace {Markup.Escape(member.Name)}; dry run first: " +
                Markup.Escape($"etcd-doctor replace-member --name {member.Name} --peer-urls <its peer URL> --dry-run") +
                (member.Has(ConsistencyIssue.ForeignData) ? Markup.Escape($" (leave {member.Endpoint} out of --endpoints: it answers for another cluster)") : string.Empty));
        }

        if (report.IsConsistent)
        {
            Output.Terminal.MarkupLine($"[green]Consistent[/]: every member started and healthy, hash {report.MajorityHash} everywhere.");
        }
    }
}
