using System.CommandLine;
using System.Text.Json;
using EtcdMaintenance.Monitoring;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor watch</c>: a live table of the members with the findings under it, until Ctrl+C.</summary>
internal static class WatchCommand
{
    public static Command Create()
    {
        var defaultInterval = TimeSpan.FromSeconds(2);
        var interval = MonitoringOutput.Interval(defaultInterval);
        var quota = MonitoringOutput.QuotaBackendBytes();
        var command = new Command("watch", """
            Watch the cluster live: every member's DB size, in-use, fragmentation, quota usage, raft progress and latency,
            polled concurrently at an interval over one persistent connection per member, with the findings under the table
            (the forecast and leader-change checks sharpen as the rounds add up). Ctrl+C stops it.
            With -o json, one JSON object per round on its own line (for piping into jq or a log).

            Example: etcd-doctor watch --interval 2s --endpoints=10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379 --quota-backend-bytes=8GiB
            """);
        command.Options.Add(interval);
        command.Options.Add(quota);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = MonitoringOutput.CreateClient(parse, quota);
            await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = parse.GetValue(interval) ?? defaultInterval });
            try
            {
                if (Output.IsJson(parse))
                {
                    var compact = new JsonSerializerOptions(Output.Json) { WriteIndented = false };
                    await foreach (var snapshot in poller.WatchAsync(cancellationToken))
                    {
                        await Console.Out.WriteLineAsync(JsonSerializer.Serialize(MonitoringOutput.Json(snapshot), compact));
                    }
                }
                else if (Output.Terminal.Profile.Capabilities.Interactive)
                {
                    await Output.Terminal.Live(new Markup("[grey]polling...[/]")).StartAsync(async live =>
                    {
                        await foreach (var snapshot in poller.WatchAsync(cancellationToken))
                        {
                            live.UpdateTarget(MonitoringOutput.Round(snapshot, Output.IsWide(parse)));
                            live.Refresh();
                        }
                    });
                }
                else
                {
                    // Redirected (a log, a pipe): one block per round.
                    await foreach (var snapshot in poller.WatchAsync(cancellationToken))
                    {
                        Output.Terminal.Write(MonitoringOutput.Round(snapshot, Output.IsWide(parse)));
                        Output.Terminal.WriteLine();
                    }
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C: the normal way to stop watching.
            }

            return 0;
        });
        return command;
    }
}
