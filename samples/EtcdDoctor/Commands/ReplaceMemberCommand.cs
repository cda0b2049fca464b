using System.CommandLine;
using EtcdMaintenance;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Operations;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor replace-member</c>: the member-replacement runbook, planned, journaled and resumable.</summary>
internal static class ReplaceMemberCommand
{
    private static readonly Option<string?> s_name = new("--name") { Description = "The member to replace (NAME in 'etcdctl member list')." };

    private static readonly Option<string?> s_peerUrls = new("--peer-urls") { Description = "Its peer URLs, comma-separated, as its manifest advertises them (--initial-advertise-peer-urls); the member's current ones when left out." };

    private static readonly Option<string?> s_dataDir = new("--data-dir") { Description = "Its data dir, moved aside (never deleted); the manifest's --data-dir when left out." };

    private static readonly Option<string?> s_manifest = new("--manifest")
    {
        Description = $"Its kubelet static-pod manifest on this node (default {KubeletStaticPodHost.DefaultManifestPath}; with --resume, the journal's).",
    };

    private static readonly Option<string> s_parkingDir = new("--parking-dir")
    {
        Description = "Where the manifest waits while the member is stopped; outside kubelet's manifests directory, which runs every file in it.",
        DefaultValueFactory = _ => KubeletStaticPodHost.DefaultParkingDirectory,
    };

    private static readonly Option<bool> s_stopKubelet = new("--stop-kubelet") { Description = "Stop kubelet (and the etcd container) as the field does by hand, instead of parking the manifest outside kubelet's directory." };

    private static readonly Option<bool> s_learner = new("--learner") { Description = "Add the member back as a learner and promote it once caught up (the default)." };

    private static readonly Option<bool> s_voter = new("--voter") { Description = "Add the member back as a voter at once, as the field did by hand." };

    private static readonly Option<bool> s_dryRun = new("--dry-run") { Description = "Only check the preconditions and print the steps with their etcdctl equivalents; change nothing." };

    private static readonly Option<string?> s_resume = new("--resume") { Description = "Continue the operation journaled in this file (steps already done are recognised)." };

    private static readonly Option<string> s_journalDir = new("--journal-dir")
    {
        Description = "Where journals and the snapshot go (owner-only).",
        DefaultValueFactory = _ => MemberReplacementOptions.DefaultJournalDirectory,
    };

    public static Command Create()
    {
        var command = new Command("replace-member", """
            Replace one member whose data went bad: verified snapshot of a healthy member (owner-only file), leadership moved
            away if it leads, member stopped, removed, its data dir moved aside (never deleted), added back (as a learner by
            default), its manifest set to --initial-cluster-state=existing with an --initial-cluster rebuilt from the live
            members, started, caught up, promoted and verified (every member started, healthy, same hash). Every step is
            journaled; after a crash or Ctrl+C, run again with --resume JOURNAL. Refuses without quorum, with another member
            down, or while another replacement is open. Give every member's endpoint. Run as root on the member's node (a
            kubeadm static pod; manifest backups go to the journal directory), or from an admin machine with --ssh-user and
            --ssh-key: the member's node is then the host of its peer URL (or --node NAME=HOST), reached over SSH with host
            keys checked against known_hosts, and a resumed run reaches the node its journal names. With --systemd-unit UNIT
            (and --env-file or --config-file), the member is that systemd unit, on this node or over SSH.

            Example: etcd-doctor replace-member --name node-2 --peer-urls=https://10.0.0.2:2380 --dry-run --endpoints=https://10.0.0.1:2379,https://10.0.0.2:2379,https://10.0.0.3:2379 --cacert=/etc/kubernetes/pki/etcd/ca.crt --cert=/etc/kubernetes/pki/etcd/healthcheck-client.crt --key=/etc/kubernetes/pki/etcd/healthcheck-client.key
            """);
        foreach (var option in new Option[] { s_name, s_peerUrls, s_dataDir, s_manifest, s_parkingDir, s_stopKubelet, s_learner, s_voter, s_dryRun, s_resume, s_journalDir })
        {
            command.Options.Add(option);
        }

        SshHostOptions.AddTo(command);

        command.Validators.Add(result =>
        {
            if (result.GetValue(s_learner) && result.GetValue(s_voter))
            {
                result.AddError("Give --learner or --voter, not both.");
            }

            if (result.GetValue(s_resume) is null && string.IsNullOrWhiteSpace(result.GetValue(s_name)))
            {
                result.AddError("Give --name (or --resume JOURNAL to continue an operation).");
            }

            if (result.GetValue(s_resume) is not null && result.GetValue(s_dryRun))
            {
                result.AddError("--dry-run plans a new replacement; it cannot be combined with --resume.");
            }
        });
        command.SetAction((parse, cancellationToken) => RunAsync(parse, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var journalDir = parse.GetValue(s_journalDir)!;
        var resume = parse.GetValue(s_resume);
        var manifest = parse.GetValue(s_manifest);
        var journal = resume is null ? null : await MemberReplacementCoordinator.ReadJournalAsync(resume, cancellationToken);
        if (journal is not null)
        {
            manifest ??= journal.ManifestPath;
            journalDir = Path.GetDirectoryName(Path.GetFullPath(resume!))!;
        }

        await using var client = GlobalOptions.CreateClient(parse);
        var sshHost = SshHostOptions.Connection(parse) is { } ssh
            ? SshHostOptions.CreateHost(
                parse,
                await NodeAsync(parse, client, journal, cancellationToken),
                ssh,
                new StaticPodPaths
                {
                    ManifestPath = manifest ?? KubeletStaticPodHost.DefaultManifestPath,
                    ParkingDirectory = parse.GetResult(s_parkingDir) is { Implicit: false } ? parse.GetValue(s_parkingDir) : null,
                })
            : null;
        await using var connection = sshHost as IAsyncDisposable;
        IEtcdMemberHost host = sshHost ?? SshHostOptions.CreateLocalSystemdHost(parse) ?? (IEtcdMemberHost)new KubeletStaticPodHost(
            manifest ?? KubeletStaticPodHost.DefaultManifestPath,
            parse.GetValue(s_stopKubelet) ? KubeletStopMode.StopKubelet : KubeletStopMode.MoveManifest,
            parse.GetValue(s_parkingDir)!,
            new EtcdMaintenance.Manifests.ManifestSaveOptions { BackupDirectory = Path.Combine(journalDir, "manifest-backups") });
        var coordinator = new MemberReplacementCoordinator(client, new MemberReplacementOptions { JournalDirectory = journalDir });
        var request = resume is null
            ? new MemberReplacementRequest
            {
                MemberName = parse.GetValue(s_name)!,
                Host = host,
                PeerUrls = parse.GetValue(s_peerUrls) is { } urls ? urls.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : null,
                DataDirectory = parse.GetValue(s_dataDir),
                AsLearner = !parse.GetValue(s_voter),
            }
            : null;

        if (parse.GetValue(s_dryRun))
        {
            var plan = await coordinator.PlanAsync(request!, cancellationToken);
            if (Output.IsJson(parse))
            {
                Output.WriteJson(plan);
            }
            else
            {
                WritePlan(plan);
            }

            return plan.IsReady ? 0 : 2;
        }

        MemberReplacementOperation? operation = null;
        try
        {
            MemberReplacementResult result;
            if (!Output.IsJson(parse) && Output.Terminal.Profile.Capabilities.Interactive)
            {
                result = await Output.Terminal.Status().StartAsync("Checking preconditions...", async context =>
                {
                    var progress = new Reporter(e =>
                    {
                        if (e.Kind is MemberReplacementProgressKind.StepStarted or MemberReplacementProgressKind.Waiting)
                        {
                            context.Status(Markup.Escape($"{StepLabel(e.Step)} {e.Message}"));
                        }
                        else
                        {
                            WriteEvent(e);
                        }
                    });
                    operation = await StartOrResumeAsync(coordinator, request, resume, host, progress, cancellationToken);
                    Output.Terminal.MarkupLine($"Journal: {Markup.Escape(operation.JournalPath)}");
                    return await operation.WaitForCompletionAsync(cancellationToken);
                });
            }
            else
            {
                // Redirected or JSON: one plain line per event (on stderr for JSON, so that stdout stays parseable).
                var writer = Output.IsJson(parse) ? Console.Error : Console.Out;
                var progress = new Reporter(e => writer.WriteLine($"{DateTimeOffset.UtcNow:HH:mm:ss} {StepLabel(e.Step)} {e.Kind}: {e.Message}"));
                operation = await StartOrResumeAsync(coordinator, request, resume, host, progress, cancellationToken);
                writer.WriteLine($"Journal: {operation.JournalPath}");
                result = await operation.WaitForCompletionAsync(cancellationToken);
            }

            if (Output.IsJson(parse))
            {
                Output.WriteJson(result);
            }
            else
            {
                Output.Terminal.MarkupLine($"[green]Replaced[/] {Markup.Escape(result.MemberName)}: member {result.OldMemberId} -> {result.NewMemberId}. " +
                    $"Old data dir kept at {Markup.Escape(result.ArchivedDataDirectory ?? "(none existed)")}; snapshot at {Markup.Escape(result.Snapshot?.Path ?? "-")}.");
            }

            return 0;
        }
        catch (OperationCanceledException) when (operation is not null)
        {
            Console.Error.WriteLine($"etcd-doctor: stopped before step {(int)operation.CurrentStep} ({operation.CurrentStep}); continue with: etcd-doctor replace-member --resume {operation.JournalPath}");
            return 130;
        }
    }

    /// <summary>The member's node: --node NAME=HOST, else the node the journal names on a resume, else the host of its peer URL.</summary>
    private static async Task<string> NodeAsync(ParseResult parse, EtcdMaintenanceClient client, MemberReplacementCheckpoint? journal, CancellationToken cancellationToken)
    {
        var name = journal?.MemberName ?? parse.GetValue(s_name)!;
        var overrides = SshHostOptions.NodeOverrides(parse);
        if (overrides.TryGetValue(name, out var node))
        {
            return node;
        }

        if (journal is not null)
        {
            return journal.HostName;
        }

        var member = (await client.ListMembersAsync(cancellationToken)).FindByName(name)
            ?? throw new InvalidOperationException($"No member is named '{name}' (see etcdctl member list); name its node with --node {name}=HOST.");
        return SshEtcdMemberHost.NodeOf(member, overrides);
    }

    private static Task<MemberReplacementOperation> StartOrResumeAsync(
        MemberReplacementCoordinator coordinator, MemberReplacementRequest? request, string? resume, IEtcdMemberHost host, IProgress<MemberReplacementProgress> progress, CancellationToken cancellationToken) =>
        resume is null ? coordinator.StartAsync(request!, progress, cancellationToken) : coordinator.ResumeAsync(resume, host, progress, cancellationToken);

    private static void WriteEvent(MemberReplacementProgress e)
    {
        var mark = e.Kind switch
        {
            MemberReplacementProgressKind.StepCompleted => "[green]done[/]",
            MemberReplacementProgressKind.StepSkipped => "[grey]skip[/]",
            MemberReplacementProgressKind.StepFailed => "[red]FAIL[/]",
            MemberReplacementProgressKind.Completed => "[green]OK[/]",
            _ => e.Kind.ToString(),
        };
        Output.Terminal.MarkupLine($"{mark} {Markup.Escape(StepLabel(e.Step))} {Markup.Escape(e.Message)}");
    }

    private static string StepLabel(MemberReplacementStep step) =>
        step == MemberReplacementStep.Completed ? "[done]" : $"[{(int)step}/{(int)MemberReplacementStep.Verify}]";

    private static void WritePlan(MemberReplacementPlan plan)
    {
        Output.Terminal.MarkupLine($"Replace [bold]{Markup.Escape(plan.MemberName)}[/] (member {plan.MemberId}) in cluster {plan.ClusterIdHex} on {Markup.Escape(plan.HostName)}, " +
            $"{(plan.AsLearner ? "back as a learner, then promoted" : "back as a voter")}.");
        var checks = new Table().Border(TableBorder.Rounded).AddColumn("PRECONDITION").AddColumn("OK").AddColumn("DETAIL");
        foreach (var check in plan.Preconditions)
        {
            checks.AddRow(Markup.Escape(check.Name), check.Passed ? "[green]yes[/]" : "[red]no[/]", Markup.Escape(check.Detail));
        }

        Output.Terminal.Write(checks);
        var steps = new Table().Border(TableBorder.Rounded).AddColumn("#").AddColumn("STEP").AddColumn("BY HAND");
        foreach (var step in plan.Steps)
        {
            steps.AddRow(step.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), Markup.Escape(step.Description), Markup.Escape(step.EquivalentCommand));
        }

        Output.Terminal.Write(steps);
        Output.Terminal.MarkupLine(plan.IsReady
            ? "[green]Ready[/]: run again without --dry-run to replace the member."
            : $"[red]Refused[/]: {Markup.Escape(plan.FirstFailure!.Name)}. Nothing would be changed.");
    }

    /// <summary>Calls back synchronously on the thread that reports (the display must follow the steps as they happen).</summary>
    private sealed class Reporter(Action<MemberReplacementProgress> report) : IProgress<MemberReplacementProgress>
    {
        public void Report(MemberReplacementProgress value) => report(value);
    }
}
