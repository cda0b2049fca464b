using System.CommandLine;
using EtcdMaintenance.Monitoring;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor check</c>: polls, prints what is wrong, and exits non-zero on errors (for cron and CI).</summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var duration = Cli.DurationOption("--duration", "Keep polling this long before judging (trends need it: time-to-quota forecast, leader changes), e.g. 1m; 0 (the default) polls once.", allowZero: true);
        var defaultInterval = TimeSpan.FromSeconds(2);
        var interval = MonitoringOutput.Interval(defaultInterval);
        var quota = MonitoringOutput.QuotaBackendBytes();
        var failOn = new Option<FindingSeverity>("--fail-on")
        {
            Description = "The severity that makes the exit code non-zero: Error (default) or Warning.",
            DefaultValueFactory = _ => FindingSeverity.Error,
        };
        var command = new Command("check", """
            Poll every member, judge the cluster and print the findings: alarms, quota usage and the time-to-quota forecast,
            fragmentation worth a defragment, members whose DB size diverges, raft and apply lag, leader problems,
            unreachable members and unpromoted learners, each with its evidence and what to do.
            Exit code: 0 when nothing is at --fail-on level, 2 when something is, 1 when the check could not run.

            Example: etcd-doctor check --endpoints=10.0.0.1:2379,10.0.0.2:2379,10.0.0.3:2379 --quota-backend-bytes=8GiB -o json
            """);
        command.Options.Add(duration);
        command.Options.Add(interval);
        command.Options.Add(quota);
        command.Options.Add(failOn);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = MonitoringOutput.CreateClient(parse, quota);
            await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = parse.GetValue(interval) ?? defaultInterval });
            var until = TimeProvider.System.GetTimestamp();
            var snapshot = await poller.PollOnceAsync(cancellationToken);
            var span = parse.GetValue(duration) ?? TimeSpan.Zero;
            if (span > TimeSpan.Zero)
            {
                await foreach (var next in poller.WatchAsync(cancellationToken))
                {
                    snapshot = next;
                    if (TimeProvider.System.GetElapsedTime(until) >= span)
                    {
                        break;
                    }
                }
            }

            if (Output.IsJson(parse))
            {
                Output.WriteJson(MonitoringOutput.Json(snapshot));
            }
            else
            {
                Output.Terminal.Write(MonitoringOutput.Round(snapshot, Output.IsWide(parse)));
                Output.Terminal.WriteLine();
            }

            return snapshot.HighestSeverity is { } worst && worst >= parse.GetValue(failOn) ? 2 : 0;
        });
        return command;
    }
}
