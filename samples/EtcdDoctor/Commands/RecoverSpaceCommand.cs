using System.CommandLine;
using EtcdMaintenance;
using EtcdMaintenance.Operations;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor recover-space</c>: the NOSPACE runbook (compact, defragment each member, disarm NOSPACE, verify).</summary>
internal static class RecoverSpaceCommand
{
    public static readonly Option<long?> KeepRevisions = new("--keep-revisions") { Description = "Keep the last N revisions of history instead of compacting at the current revision." };

    public static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print the plan (members, order, reasons, etcdctl equivalents) and change nothing." };

    public static readonly Option<string?> Policy = new("--policy")
    {
        Description = "Defragment only members matching a rule, e.g. 'fragmentation >= 45% && dbSize >= 100MB' (default: every voting member).",
    };

    public static readonly Option<string?> Quota = new("--quota")
    {
        Description = "The members' --quota-backend-bytes (e.g. 2GiB), needed to judge the 90% disarm threshold on etcd before 3.6.",
    };

    public static readonly Option<bool> SkipUnreachable = new("--skip-unreachable") { Description = "Go on without members that do not answer (NOSPACE is then not disarmed)." };

    public static Command Create()
    {
        var command = new Command("recover-space", """
            Recover from NOSPACE ("mvcc: database space exceeded") safely: check every voting member, compact (physical),
            defragment one member at a time (followers first, leader last, leadership moved away first on 3+ members),
            disarm NOSPACE only once every member is under 90% of the quota, then verify with a probe write.
            Running it again after an interruption continues; with --checkpoint FILE, run the same command with
            --resume FILE instead to go on with the same plan, skipping the steps done.

            Example: etcd-doctor recover-space --endpoints=https://10.0.0.1:2379,https://10.0.0.2:2379 --quota 2GiB --dry-run
            """);
        foreach (var option in new Option[] { KeepRevisions, DryRun, Policy, Quota, SkipUnreachable })
        {
            command.Options.Add(option);
        }

        OperationRunner.AddTo(command, DryRun);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var quota = parse.GetValue(Quota) is { } q ? EtcdMaintenance.Manifests.QuotaBackendBytes.Parse(q).EffectiveBytes : (long?)null;
            await using var client = GlobalOptions.CreateClient(parse, o => o.QuotaBackendBytes = quota);
            var options = new SpaceRecoveryOptions
            {
                Compaction = parse.GetValue(KeepRevisions) is { } keep ? CompactionTarget.KeepLast(keep) : CompactionTarget.Current,
                DefragmentWhen = parse.GetValue(Policy) is { } rule ? DefragCondition.Parse(rule) : DefragCondition.Always,
                SkipUnreachableMembers = parse.GetValue(SkipUnreachable),
                QuotaBackendBytes = quota,
            };
            var recovery = new SpaceRecovery(client, options);
            var resume = await OperationRunner.ReadResumeAsync(parse, cancellationToken);
            var plan = resume is null ? await recovery.PlanAsync(cancellationToken) : null;
            if (parse.GetValue(DryRun))
            {
                if (Output.IsJson(parse))
                {
                    Output.WriteJson(plan);
                }
                else
                {
                    WritePlan(plan!);
                }

                return 0;
            }

            var checkpointPath = OperationRunner.CheckpointPath(parse);
            var operation = resume is null
                ? await recovery.StartAsync(plan!, checkpointPath: checkpointPath, cancellationToken: cancellationToken)
                : await recovery.ResumeAsync(resume, checkpointPath: checkpointPath, cancellationToken: cancellationToken);
            var report = await OperationRunner.RunAsync(operation, p => (p.Elapsed, p.Message), checkpointPath, cancellationToken);
            if (Output.IsJson(parse))
            {
                Output.WriteJson(new { report.Succeeded, report.FailureReason, report.CompactedRevision, report.Members, report.LeaderMovedTo, report.AlarmsDisarmed, report.AlarmsRemaining, report.AlarmNote, report.ProbeWriteSucceeded, report.Reclaimed, report.Elapsed });
            }
            else
            {
                WriteReport(report);
            }

            return report.Succeeded ? 0 : 1;
        });
        return command;
    }

    public static void WritePlan(SpaceRecoveryPlan plan)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("#", "MEMBER", "ROLE", "DB SIZE", "ACTION", "WHY");
        var order = 1;
        foreach (var member in plan.Members)
        {
            table.AddRow(member.Action == MemberPlanAction.Defragment ? (order++).ToString(System.Globalization.CultureInfo.InvariantCulture) : "-",
                Markup.Escape(member.Name), member.IsLeader ? "leader" : "follower", Output.Bytes(member.DbSize), member.Action.ToString(), Markup.Escape(member.Reason));
        }

        Output.Terminal.Write(table);
        OperationRunner.WriteSteps(plan.Steps);
    }

    public static void WriteReport(SpaceRecoveryReport report)
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumns("MEMBER", "DEFRAGMENTED", "BEFORE", "AFTER", "IN USE", "RECLAIMED", "TIME", "NOTE");
        foreach (var m in report.Members)
        {
            table.AddRow(Markup.Escape(m.Name), m.Defragmented ? "yes" : "no", Output.Bytes(m.DbSizeBefore), Output.Bytes(m.DbSizeAfter), Output.Bytes(m.DbSizeInUseAfter),
                Output.Bytes(m.Reclaimed), $"{m.Elapsed.TotalSeconds:0.0} s", Markup.Escape(m.Note ?? string.Empty));
        }

        Output.Terminal.Write(table);
        Output.Terminal.MarkupLine($"Compacted at revision: {report.CompactedRevision?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}; reclaimed {Output.Bytes(report.Reclaimed)} in {report.Elapsed.TotalSeconds:0.0} s.");
        Output.Terminal.MarkupLine($"Alarms disarmed: {report.AlarmsDisarmed.Count}; remaining: {Markup.Escape(string.Join(", ", report.AlarmsRemaining))}{(report.AlarmNote is null ? string.Empty : " - " + Markup.Escape(report.AlarmNote))}");
        // Only a probe write proves that writes work; defrag --cluster does not make one.
        Output.Terminal.MarkupLine(!report.Succeeded ? $"[red]Not recovered:[/] {Markup.Escape(report.FailureReason ?? string.Empty)}"
            : report.ProbeWriteSucceeded == true ? "[green]Writes work again[/] (probe write succeeded)."
            : "[green]Done.[/]");
    }
}
