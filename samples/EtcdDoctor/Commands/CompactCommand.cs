using System.CommandLine;

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
        command.SetAction((parse, cancellationToken) => Output.RunAsync(async () =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var current = (await client.GetClusterStatusAsync(cancellationToken)).MaxRevision
                ?? throw new InvalidOperationException("no endpoint answered: cannot find the current revision.");
            var revision = parse.GetValue(Revision) ?? current - (parse.GetValue(KeepRevisions) ?? 0);
            if (revision <= 0)
            {
                throw new InvalidOperationException($"nothing to compact: the current revision is {current}.");
            }

            var result = await client.CompactAsync(revision, physical: !parse.GetValue(NotPhysical), cancellationToken);
            if (Output.IsJson(parse))
            {
                Output.WriteJson(result);
            }
            else
            {
                Console.Out.WriteLine($"compacted revision {result.Revision}");
            }

            return 0;
        }));
        return command;
    }
}
