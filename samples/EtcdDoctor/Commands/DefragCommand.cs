using System.CommandLine;
using EtcdMaintenance;
using EtcdMaintenance.Operations;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor defrag</c>: defragment the given endpoints one at a time, or the whole cluster safely.</summary>
internal static class DefragCommand
{
    private static readonly TimeSpan s_defaultTimeout = TimeSpan.FromSeconds(120);

    private static readonly Option<bool> Cluster = new("--cluster") { Description = "Every voting member (from the member list): followers first, leader last, leadership moved away first." };

    private static readonly Option<string?> Policy = new("--policy")
    {
        Description = "Only members matching a rule, e.g. 'fragmentation >= 45% && dbSize >= 100MB', or etcd-defrag's names with sizes written with units: 'dbQuotaUsage > 0.8 || dbSize - dbSizeInUse > 200MiB' (not 200*1024*1024).",
    };

    private static readonly Option<TimeSpan?> Timeout = Cli.DurationOption("--defrag-timeout", $"Timeout of each member's defragment, never retried (default {GoDuration.Format(s_defaultTimeout)}).");

    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print which members would be defragmented, in which order and why; change nothing." };

    public static Command Create()
    {
        var command = new Command("defrag", """
            Defragment members one at a time, each with its own timeout and never retried (a retry would stack a second
            defragment on the same member). Without --cluster, the --endpoints given, in order; with --cluster, every voting
            member, waiting until each is healthy and caught up before the next. Alarms are left alone.

            Example: etcd-doctor defrag --cluster --policy 'fragmentation >= 45% && dbSize >= 100MB' --dry-run
            """);
        command.Options.Add(Cluster);
        command.Options.Add(Policy);
        command.Options.Add(Timeout);
        command.Options.Add(DryRun);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse, o => o.DefragmentTimeout = parse.GetValue(Timeout) ?? s_defaultTimeout);
            var rule = parse.GetValue(Policy) is { } text ? DefragCondition.Parse(text) : DefragCondition.Always;
            return parse.GetValue(Cluster)
                ? await DefragmentClusterAsync(parse, client, rule, cancellationToken)
                : await DefragmentEndpointsAsync(parse, client, rule, cancellationToken);
        });
        return command;
    }

    private static async Task<int> DefragmentClusterAsync(ParseResult parse, EtcdMaintenanceClient client, DefragCondition rule, CancellationToken cancellationToken)
    {
        var recovery = new SpaceRecovery(client, new SpaceRecoveryOptions
        {
            Compaction = CompactionTarget.None,
            DefragmentWhen = rule,
            DisarmNoSpace = false,
            VerifyWithProbeWrite = false,
        });
        if (parse.GetValue(DryRun))
        {
            var plan = await recovery.PlanAsync(cancellationToken);
            if (Output.IsJson(parse))
            {
                Output.WriteJson(plan);
            }
            else
            {
                RecoverSpaceCommand.WritePlan(plan);
            }

            return ExitCodes.Ok;
        }

        var report = await recovery.ExecuteAsync(Output.Progress<SpaceRecoveryProgress>(p => (p.Elapsed, p.Message)), cancellationToken);
        if (Output.IsJson(parse))
        {
            Output.WriteJson(report.Members);
        }
        else
        {
            RecoverSpaceCommand.WriteReport(report);
        }

        return report.Error is null ? ExitCodes.Ok : ExitCodes.Failed;
    }

    private static async Task<int> DefragmentEndpointsAsync(ParseResult parse, EtcdMaintenanceClient client, DefragCondition rule, CancellationToken cancellationToken)
    {
        var dryRun = parse.GetValue(DryRun);
        var results = new List<object>();
        foreach (var endpoint in client.Endpoints)
        {
            var before = await client.GetStatusAsync(endpoint, cancellationToken);
            var decision = rule.Evaluate(before);
            if (!decision.Defragment || dryRun)
            {
                Console.Error.WriteLine($"{endpoint}: {(decision.Defragment ? "would defragment" : "skipped")} ({Output.Bytes(before.DbSize)}; {decision.Reason})");
                results.Add(new { Endpoint = endpoint.Text, Defragmented = false, WouldDefragment = decision.Defragment, decision.Reason, Before = before.DbSize });
                continue;
            }

            Console.Error.WriteLine($"{endpoint}: defragmenting ({Output.Bytes(before.DbSize)})");
            var result = await client.DefragmentAsync(endpoint, cancellationToken);
            var after = await client.GetStatusAsync(endpoint, cancellationToken);
            Console.Error.WriteLine($"{endpoint}: {Output.Bytes(before.DbSize)} -> {Output.Bytes(after.DbSize)} in {GoDuration.Format(result.Elapsed)}");
            results.Add(new { Endpoint = endpoint.Text, Defragmented = true, decision.Reason, Before = before.DbSize, After = after.DbSize, ElapsedMs = result.Elapsed.TotalMilliseconds });
        }

        if (Output.IsJson(parse))
        {
            Output.WriteJson(results);
        }

        return ExitCodes.Ok;
    }
}
