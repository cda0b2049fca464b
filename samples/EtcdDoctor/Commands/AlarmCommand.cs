using System.CommandLine;
using EtcdMaintenance;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor alarm list|disarm</c>.</summary>
internal static class AlarmCommand
{
    private static readonly Option<bool> All = new("--all") { Description = "Disarm every alarm, CORRUPT included, as a bare 'etcdctl alarm disarm' does (not recommended)." };

    public static Command Create()
    {
        var list = new Command("list", """
            List active alarms, like 'etcdctl alarm list'.

            Example: etcd-doctor alarm list -o json
            """);
        list.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var alarms = await client.GetAlarmsAsync(cancellationToken);
            Write(parse, alarms);
            return 0;
        });

        var disarm = new Command("disarm", """
            Disarm NOSPACE alarms (only NOSPACE unless --all). Disarming before the database is back under its quota only
            re-raises the alarm at the next write: prefer 'etcd-doctor recover-space', which checks first.

            Example: etcd-doctor alarm disarm
            """);
        disarm.Options.Add(All);
        disarm.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var disarmed = new List<EtcdAlarm>();
            if (parse.GetValue(All))
            {
                disarmed.AddRange(await client.DisarmAllAlarmsAsync(cancellationToken));
            }
            else
            {
                foreach (var alarm in (await client.GetAlarmsAsync(cancellationToken)).Where(a => a.Type == EtcdAlarmType.NoSpace))
                {
                    disarmed.AddRange(await client.DisarmAlarmAsync(alarm.MemberId, alarm.Type, cancellationToken));
                }
            }

            Write(parse, disarmed);
            return 0;
        });

        var command = new Command("alarm", "List or disarm alarms.\n\nExample: etcd-doctor alarm list");
        command.Subcommands.Add(list);
        command.Subcommands.Add(disarm);
        return command;
    }

    private static void Write(ParseResult parse, IReadOnlyList<EtcdAlarm> alarms)
    {
        if (Output.IsJson(parse))
        {
            Output.WriteJson(alarms.Select(JsonShapes.Alarm));
            return;
        }

        foreach (var alarm in alarms)
        {
            Output.Terminal.WriteLine(alarm.ToString());
        }
    }
}
