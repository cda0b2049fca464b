using System.CommandLine;
using EtcdDoctor.Commands;

// Minimal entry point so the tool builds on this branch; the real Program.cs registers every command the same way.
var root = new RootCommand("etcd-doctor: status, space recovery, defragmentation, quota raise and member replacement for etcd clusters");
root.Subcommands.Add(ManifestCommand.Create());
return await root.Parse(args).InvokeAsync();
