using System.CommandLine;
using EtcdMaintenance.Operations;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor defrag</c>: defragment the given endpoints one at a time, or the whole cluster safely.</summary>
internal static class DefragCommand
{
    private static readonly Option<bool> Cluster = new("--cluster") { Description = "Every voting member (from the member list): followers first, leader last, leadership moved away first." };

    private static readonly Option<string?> Policy = new("--policy") { Description = "Only members matching a rule, e.g. 'fragmentation >= 45% && dbSize >= 100MB' (etcd-defrag style)." };

    private static readonly Option<TimeSpan> Timeout = new("--defrag-timeout")
    {
        Description = "Timeout of each member's defragment (never retried).",
        DefaultValueFactory = _ => TimeSpan.FromSeconds(120),
        CustomParser = r => Durations.Parse(r.Tokens.Single().Value),
    };

    public static Command Create()
    {
        var command = new Command("defrag", """
            Defragment members one at a time, each with its own timeout and never retried (a retry would stack a second
            defragment on the same member). Without --cluster, the --endpoints given, in order; with --cluster, every voting
            member, waiting until each is healthy and caught up before the next. Alarms are left alone.

            Example: etcd-doctor defrag --cluster --policy 'fragmentation >= 45% && dbSize >= 100MB'
            """);
        command.Options.Add(Cluster);
        command.Options.Add(Policy);
        command.Options.Add(Timeout);
        command.SetAction((parse, cancellationToken) => Output.RunAsync(async () =>
        {
            await using var client = GlobalOptions.CreateClient(parse, o => o.DefragmentTimeout = parse.GetValue(Timeout));
            var rule = parse.GetValue(Policy) is { } text ? DefragCondition.Parse(text) : DefragCondition.Always;
            if (parse.GetValue(Cluster))
            {
                var report = await new SpaceRecovery(client, new SpaceRecoveryOptions
                {
                    Compaction = CompactionTarget.None,
                    DefragmentWhen = rule,
                    DisarmNoSpace = false,
                    VerifyWithProbeWrite = false,
                }).ExecuteAsync(Output.Progress<SpaceRecoveryProgress>(p => (p.Elapsed, p.Message)), cancellationToken);
                if (Output.IsJson(parse))
                {
                    Output.WriteJson(report.Members);
                }
                else
                {
                    RecoverSpaceCommand.WriteReport(report);
                }

                return report.Error is null ? 0 : 1;
            }

            var results = new List<object>();
            foreach (var endpoint in client.Endpoints)
            {
                var before = await client.GetStatusAsync(endpoint, cancellationToken);
                var decision = rule.Evaluate(before);
                if (!decision.Defragment)
                {
                    Console.Error.WriteLine($"{endpoint}: skipped ({decision.Reason})");
                    results.Add(new { Endpoint = endpoint.Text, Defragmented = false, decision.Reason });
                    continue;
                }

                Console.Error.WriteLine($"{endpoint}: defragmenting ({Output.Bytes(before.DbSize)})");
                var result = await client.DefragmentAsync(endpoint, cancellationToken);
                var after = await client.GetStatusAsync(endpoint, cancellationToken);
                Console.Error.WriteLine($"{endpoint}: {Output.Bytes(before.DbSize)} -> {Output.Bytes(after.DbSize)} in {result.Elapsed.TotalSeconds:0.0} s");
                results.Add(new { Endpoint = endpoint.Text, Defragmented = true, Before = before.DbSize, After = after.DbSize, result.Elapsed });
            }

            if (Output.IsJson(parse))
            {
                Output.WriteJson(results);
            }

            return 0;
        }));
        return command;
    }
}
