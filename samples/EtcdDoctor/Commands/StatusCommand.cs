using System.CommandLine;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor status</c>: every endpoint's status, like <c>etcdctl endpoint status -w table</c> plus fragmentation and quota.</summary>
internal static class StatusCommand
{
    public static Command Create()
    {
        var command = new Command("status", """
            Show every member's status: DB size, in-use, fragmentation, quota usage, leader, raft progress, errors.
            A member that does not answer is listed with its error; the exit code is 1 if any did not answer.
            The table fits 80 columns; -w wide shows every column (version, raft term and indexes, errors).

            Example: etcd-doctor status --endpoints=127.0.0.1:2379,127.0.0.1:22379 -o json
            """);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var status = await client.GetClusterStatusAsync(cancellationToken);
            if (Output.IsJson(parse))
            {
                Output.WriteJson(JsonShapes.Status(status));
            }
            else
            {
                Output.WriteStatus(status, Output.IsWide(parse));
            }

            return status.Unreachable.Count == 0 ? 0 : 1;
        });
        return command;
    }
}
