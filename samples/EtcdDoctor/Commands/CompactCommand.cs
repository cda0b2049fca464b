using System.CommandLine;
using EtcdMaintenance;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor compact</c>: compact at the current revision (found for you), or at a given one.</summary>
internal static class CompactCommand
{
    private static readonly Argument<long?> Revision = new("revision") { Description = "The revision to compact at (default: the cluster's current revision).", Arity = ArgumentArity.ZeroOrOne };

    private static readonly Option<long?> KeepRevisions = new("--keep-revisions") { Description = "Keep the last N revisions." };

    private static readonly Option<bool> NotPhysical = new("--no-physical") { Description = "Return before the compaction is physically applied (etcdctl's default; this tool waits by default)." };

    public static Command Create()
    {
        var command = new Command("compact", """
            Compact the key-value history. Replaces 'etcdctl endpoint status -w json | egrep ...' + 'etcdctl compact REV':
            the current revision is read from every member (the highest one). Physical by default (waits until applied).

            Example: etcd-doctor compact --keep-revisions 1000
            """);
        command.Arguments.Add(Revision);
        command.Options.Add(KeepRevisions);
        command.Options.Add(NotPhysical);
        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var status = await client.GetClusterStatusAsync(cancellationToken);
            var current = status.MaxRevision
                ?? throw status.Unreachable.Select(e => e.Error).OfType<Exception>().FirstOrDefault()
                ?? new InvalidOperationException("no endpoint answered Maintenance.Status: cannot find the current revision.");
            var revision = parse.GetValue(Revision) ?? current - (parse.GetValue(KeepRevisions) ?? 0);
            if (revision <= 0)
            {
                throw new InvalidOperationException($"nothing to compact: the current revision is {current}.");
            }

            // An already compacted revision is success: the history up to it is gone, as asked (recover-space says the same).
            var result = await client.CompactAsync(revision, physical: !parse.GetValue(NotPhysical), cancellationToken);
            var outcome = new { result.Revision, result.Physical, result.AlreadyCompacted };
            var line = result.AlreadyCompacted ? $"revision {result.Revision} is already compacted" : $"compacted revision {result.Revision}";

            if (Output.IsJson(parse))
            {
                Output.WriteJson(outcome);
            }
            else
            {
                Console.Out.WriteLine(line);
            }

            return 0;
        });
        return command;
    }
}
