using System.CommandLine;
using EtcdDoctor;
using EtcdDoctor.Commands;

var root = new RootCommand("""
    etcd-doctor: status, space recovery, defragmentation, quota raise and member replacement for etcd clusters.
    Global flags and ETCDCTL_* environment variables follow etcdctl's (a flag wins over its variable). Durations are
    written as etcdctl writes them (5s, 2m, 1h30m), sizes with units (8GiB). Exit codes: 0 ok, 1 failed, 2 findings or
    refused by a safety check, 130 cancelled.

    Example: etcd-doctor status --endpoints=https://10.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt \
             --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key
    """);
GlobalOptions.AddTo(root);
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(RecoverSpaceCommand.Create());
root.Subcommands.Add(DefragCommand.Create());
root.Subcommands.Add(CompactCommand.Create());
root.Subcommands.Add(AlarmCommand.Create());
root.Subcommands.Add(MemberCommand.Create());
root.Subcommands.Add(SnapshotCommand.Create());
root.Subcommands.Add(RaiseQuotaCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ManifestCommand.Create());
root.Subcommands.Add(CheckConsistencyCommand.Create());
root.Subcommands.Add(ReplaceMemberCommand.Create());
root.Subcommands.Add(ParseCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
root.Subcommands.Add(CheckCommand.Create());
HelpExamples.Install(root);

// Usage errors (an unknown flag, a bad duration or size) are one line each on stderr and exit code 1, like every other failure.
var parse = root.Parse(args);
if (parse.Action is System.CommandLine.Invocation.ParseErrorAction)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"etcd-doctor: {error.Message}");
    }
    return ExitCodes.Failed;
}

try
{
    Output.Configure(parse);

    // Ctrl+C and SIGTERM cancel the command's token (System.CommandLine 2.0.0 leaves this off unless the timeout is set).
    return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5), EnableDefaultExceptionHandler = false });
}
catch (Exception ex)
{
    // The one error handler: whatever a command throws ends here (the commands do not catch on their own).
    return Output.Fail(ex);
}
