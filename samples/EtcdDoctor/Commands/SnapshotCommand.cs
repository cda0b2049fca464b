using System.CommandLine;
using EtcdMaintenance;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor snapshot save FILE</c>: a verified snapshot of one member, written owner-only and atomically.</summary>
internal static class SnapshotCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "Where to write the snapshot; it must not exist yet." };
        var save = new Command("save", """
            Save a snapshot of one member's database, as etcdctl snapshot save does: streamed to FILE.part (owner-only, 0600),
            checked against the SHA-256 etcd appends, flushed to disk, then renamed to FILE. Nothing is left behind on failure.
            Give exactly one endpoint.

            Example: etcd-doctor snapshot save /var/backups/etcd-$(date +%F).db --endpoints=https://10.0.0.1:2379
            """) { file };
        save.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            if (client.Endpoints.Count != 1)
            {
                throw new InvalidOperationException($"snapshot save takes one endpoint, as etcdctl does; got {client.Endpoints.Count} ({string.Join(", ", client.Endpoints)}).");
            }

            var target = parse.GetValue(file)!;
            if (target.Exists)
            {
                throw new IOException($"{target.FullName} exists: remove it or choose another file (a snapshot never overwrites one).");
            }

            var endpoint = client.Endpoints[0];
            var partial = target.FullName + ".part";
            SnapshotResult result;
            var created = false;
            try
            {
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Options = FileOptions.Asynchronous };
                if (!OperatingSystem.IsWindows())
                {
                    options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
                }

                await using (var stream = new FileStream(partial, options))
                {
                    created = true;
                    result = await client.SnapshotAsync(endpoint, stream, cancellationToken);
                    stream.Flush(flushToDisk: true);
                }

                File.Move(partial, target.FullName, overwrite: false);
            }
            catch (Exception) when (created)
            {
                File.Delete(partial);
                throw;
            }

            if (Output.IsJson(parse))
            {
                Output.WriteJson(new { File = target.FullName, Endpoint = endpoint.Text, result.Size, result.Sha256, result.Revision });
            }
            else
            {
                Console.Out.WriteLine($"Snapshot saved at {target.FullName}: {Output.Bytes(result.Size)} from {endpoint} at revision {result.Revision}, sha256 {result.Sha256} verified.");
            }

            return ExitCodes.Ok;
        });

        var command = new Command("snapshot", """
            Save a verified snapshot of a member (etcdctl snapshot save).

            Example: etcd-doctor snapshot save backup.db --endpoints=https://10.0.0.1:2379
            """);
        command.Subcommands.Add(save);
        return command;
    }
}
