using EtcdMaintenance;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Operations;
using EtcdMaintenance.ReplaceDriver;

// Usage: --endpoints E --manifest M --journal-dir D [--snapshot-dir S] [--etcd BIN] --name N --peer-urls U [--voter]
//        [--block-after-call MemberRemove|MemberAdd|MemberPromote]
// Prints "JOURNAL <path>" once the operation is journaled, one "PROGRESS ..." line per event, and "BLOCKED <call>" when it
// stops after the named call has succeeded and before the step is journaled; it then waits for a line on stdin (the test
// kills it instead). Exit codes: 0 completed, 2 replacement error, 3 bad arguments.
var options = ParseArguments(args);
if (options is null)
{
    Console.Error.WriteLine("usage: --endpoints E --manifest M --journal-dir D --name N --peer-urls U [--snapshot-dir S] [--etcd BIN] [--voter] [--block-after-call RPC]");
    return 3;
}

await using var inner = new EtcdMaintenanceClient(new EtcdClientOptions
{
    Endpoints = [options["endpoints"]],
    CommandTimeout = TimeSpan.FromSeconds(5),
    DialTimeout = TimeSpan.FromSeconds(2),
});
await using var client = new BlockingClient(inner, options.GetValueOrDefault("block-after-call"));
var host = new LocalProcessEtcdHost(options["manifest"], options.GetValueOrDefault("etcd"));
var coordinator = new MemberReplacementCoordinator(client, new MemberReplacementOptions
{
    JournalDirectory = options["journal-dir"],
    SnapshotDirectory = options.GetValueOrDefault("snapshot-dir"),
    PollInterval = TimeSpan.FromMilliseconds(100),
    MaxRetryDelay = TimeSpan.FromMilliseconds(500),
    MemberChangeTimeout = TimeSpan.FromSeconds(30),
});
var progress = new LineProgress();
try
{
    var operation = await coordinator.StartAsync(new MemberReplacementRequest
    {
        MemberName = options["name"],
        Host = host,
        PeerUrls = options["peer-urls"].Split(','),
        AsLearner = !options.ContainsKey("voter"),
    }, progress);
    Console.WriteLine($"JOURNAL {operation.JournalPath}");
    var result = await operation.WaitForCompletionAsync();
    Console.WriteLine($"COMPLETED {result.NewMemberId}");
    return 0;
}
catch (EtcdException ex)
{
    Console.WriteLine($"FAILED {ex.Message}");
    return 2;
}

static Dictionary<string, string>? ParseArguments(string[] args)
{
    var result = new Dictionary<string, string>(StringComparer.Ordinal);
    for (var i = 0; i < args.Length; i++)
    {
        if (!args[i].StartsWith("--", StringComparison.Ordinal))
        {
            return null;
        }

        var name = args[i][2..];
        if (name == "voter")
        {
            result[name] = "true";
        }
        else if (i + 1 < args.Length)
        {
            result[name] = args[++i];
        }
        else
        {
            return null;
        }
    }

    return new[] { "endpoints", "manifest", "journal-dir", "name", "peer-urls" }.All(result.ContainsKey) ? result : null;
}
