using System.CommandLine;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor raise-quota</c>: raise --quota-backend-bytes member by member through their manifests.</summary>
internal static class RaiseQuotaCommand
{
    private static readonly Option<string> To = new("--to") { Description = "The new quota: 8GiB, 3Gi, 8GB or a byte count.", Required = true };

    private static readonly Option<string[]> Manifests = new("--manifest")
    {
        Description = "A member's manifest (repeat for each member handled from here; default /etc/kubernetes/manifests/etcd.yaml).",
        DefaultValueFactory = _ => [KubeletStaticPodHost.DefaultManifestPath],
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<bool> LocalProcess = new("--local-process") { Description = "The manifests describe local etcd processes (bare metal, the demo) rather than kubelet static pods." };

    private static readonly Option<bool> DryRun = new("--dry-run") { Description = "Print each manifest's diff and change nothing." };

    private static readonly Option<bool> Force = new("--force") { Description = "Allow a quota above 8 GiB, etcd's suggested maximum." };

    public static Command Create()
    {
        var command = new Command("raise-quota", """
            Raise --quota-backend-bytes one member at a time: patch its manifest (backup outside the manifests directory,
            atomic write), let it restart (kubelet does it for a static pod), wait until it is healthy and caught up, then
            the next. Refuses when a member is down, when the quota is below the DB size, and above 8 GiB without --force.
            Remember kubeadm's ClusterConfiguration (etcd.local.extraArgs) too, or an upgrade undoes the change.

            With --ssh-user and --ssh-key, every member's node is reached over SSH (host keys checked against known_hosts)
            and its static-pod manifest (--manifest, the same path on every node) edited there: the whole cluster from one
            admin shell. With --systemd-unit UNIT (and --env-file or --config-file), the member is that systemd unit: on
            every node over SSH, or on this node without --ssh-user.

            With --checkpoint FILE every step is recorded there; after a stop, run the same command with --resume FILE
            instead to go on with the same plan (members already patched and reporting the new quota are skipped).

            Example: etcd-doctor raise-quota --to 8GiB --manifest /etc/kubernetes/manifests/etcd.yaml --dry-run
            Example: etcd-doctor raise-quota --to 8GiB --ssh-user root --ssh-key ~/.ssh/id_ed25519 --endpoints=https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379 --cacert=ca.crt --cert=client.crt --key=client.key
            """);
        foreach (var option in new Option[] { To, Manifests, LocalProcess, DryRun, Force })
        {
            command.Options.Add(option);
        }

        SshHostOptions.AddTo(command);
        OperationRunner.AddTo(command, DryRun);
        command.Validators.Add(result =>
        {
            if (result.GetValue(SshHostOptions.User) is not null && (result.GetValue(LocalProcess) || result.GetValue(Manifests)!.Length > 1))
            {
                result.AddError("Over SSH, give at most one --manifest (the path on every node) and no --local-process.");
            }

            if (result.GetValue(SshHostOptions.SystemdUnit) is not null && (result.GetValue(LocalProcess) || result.GetResult(Manifests) is { Implicit: false }))
            {
                result.AddError("--systemd-unit takes its flags from --env-file or --config-file: give no --manifest or --local-process.");
            }
        });

        command.SetAction(async (parse, cancellationToken) =>
        {
            await using var client = GlobalOptions.CreateClient(parse);
            var sshHosts = new List<IEtcdMemberHost>();
            try
            {
                return await RaiseAsync(parse, client, sshHosts, cancellationToken);
            }
            finally
            {
                foreach (var host in sshHosts.OfType<IAsyncDisposable>())
                {
                    await host.DisposeAsync();
                }
            }
        });
        return command;
    }

    private static async Task<int> RaiseAsync(ParseResult parse, EtcdMaintenance.EtcdMaintenanceClient client, List<IEtcdMemberHost> sshHosts, CancellationToken cancellationToken)
    {
        List<IEtcdMemberHost> hosts;
        if (SshHostOptions.Connection(parse) is { } ssh)
        {
            var overrides = SshHostOptions.NodeOverrides(parse);
            var paths = new StaticPodPaths { ManifestPath = parse.GetValue(Manifests)![0] };
            foreach (var member in (await client.ListMembersAsync(cancellationToken)).Members)
            {
                sshHosts.Add(SshHostOptions.CreateHost(parse, SshEtcdMemberHost.NodeOf(member, overrides), ssh, paths));
            }

            hosts = [.. sshHosts];
        }
        else if (SshHostOptions.CreateLocalSystemdHost(parse) is { } systemd)
        {
            hosts = [systemd];
        }
        else
        {
            hosts = [.. parse.GetValue(Manifests)!.Select(path => parse.GetValue(LocalProcess)
                ? (IEtcdMemberHost)new LocalProcessEtcdHost(path)
                : new KubeletStaticPodHost(path))];
        }

        var raise = new QuotaRaise(client, hosts, new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse(parse.GetValue(To)!), Force = parse.GetValue(Force) });
        var resume = await OperationRunner.ReadResumeAsync(parse, cancellationToken);
        var plan = resume is null ? await raise.PlanAsync(cancellationToken) : null;
        if (parse.GetValue(DryRun))
        {
            if (Output.IsJson(parse))
            {
                Output.WriteJson(plan);
                return 0;
            }

            foreach (var member in plan!.Members)
            {
                Output.Terminal.MarkupLine($"[bold]{Markup.Escape(member.Member)}[/] ({Markup.Escape(member.ManifestPath)}){(member.AlreadySet ? ": already set" : string.Empty)}");
                Output.Terminal.WriteLine(member.Diff);
                foreach (var notice in member.Notices)
                {
                    Output.Terminal.MarkupLine($"  [yellow]{Markup.Escape(notice.ToString())}[/]");
                }
            }

            OperationRunner.WriteSteps(plan.Steps);
            return 0;
        }

        var checkpointPath = OperationRunner.CheckpointPath(parse);
        var operation = resume is null
            ? await raise.StartAsync(plan!, checkpointPath: checkpointPath, cancellationToken: cancellationToken)
            : await raise.ResumeAsync(resume, checkpointPath: checkpointPath, cancellationToken: cancellationToken);
        var report = await OperationRunner.RunAsync(operation, p => (p.Elapsed, p.Message), checkpointPath, cancellationToken);
        if (Output.IsJson(parse))
        {
            Output.WriteJson(report);
        }
        else if (report.Succeeded)
        {
            Output.Terminal.MarkupLine($"[green]Every member runs with --quota-backend-bytes={report.NewQuota}[/] ({report.NewQuota.ToDisplayString()}) after {report.Elapsed.TotalSeconds:0.0} s.");
        }
        else
        {
            Output.Terminal.MarkupLine($"Every member runs with --quota-backend-bytes={report.NewQuota} ({report.NewQuota.ToDisplayString()}), [red]but writes still fail:[/] {Markup.Escape(report.FailureReason ?? string.Empty)}");
        }

        return report.Succeeded ? ExitCodes.Ok : ExitCodes.Failed;
    }
}
