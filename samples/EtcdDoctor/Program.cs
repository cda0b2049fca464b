using System.CommandLine;
using EtcdDoctor.Commands;

// Minimal entry point so that the parse command builds and runs on the parsing branch; the real Program.cs registers
// every command the same way.
var root = new RootCommand("etcd-doctor: status, space recovery, defragmentation, quota raise and member replacement for etcd clusters.");
root.Subcommands.Add(ParseCommand.Create());
return await root.Parse(args).InvokeAsync();
