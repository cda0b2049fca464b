using System.CommandLine;
using EtcdDoctor;
using EtcdDoctor.Commands;

var root = new RootCommand("""
    etcd-doctor: status, space recovery, defragmentation, quota raise and member replacement for etcd clusters.
    Global flags follow etcdctl's (--endpoints, --cacert, --cert, --key, --user, --password).

    Example: etcd-doctor status --endpoints=https://10.0.0.1:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt \
             --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key
    """);
GlobalOptions.AddTo(root);
root.Subcommands.Add(StatusCommand.Create());
root.Subcommands.Add(RecoverSpaceCommand.Create());
root.Subcommands.Add(DefragCommand.Create());
root.Subcommands.Add(CompactCommand.Create());
root.Subcommands.Add(AlarmCommand.Create());
root.Subcommands.Add(RaiseQuotaCommand.Create());
root.Subcommands.Add(DemoCommand.Create());
root.Subcommands.Add(ManifestCommand.Create());
root.Subcommands.Add(CheckConsistencyCommand.Create());
root.Subcommands.Add(ReplaceMemberCommand.Create());
root.Subcommands.Add(ParseCommand.Create());
root.Subcommands.Add(WatchCommand.Create());
root.Subcommands.Add(CheckCommand.Create());

// Ctrl+C and SIGTERM cancel the command's token (System.CommandLine 2.0.0 leaves this off unless the timeout is set).
return await root.Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(5) });
