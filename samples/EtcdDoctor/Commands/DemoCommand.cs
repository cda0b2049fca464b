using System.CommandLine;
using System.Runtime.InteropServices;
using EtcdMaintenance;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Monitoring;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Testing;
using Spectre.Console;

namespace EtcdDoctor.Commands;

/// <summary><c>etcd-doctor demo</c>: the whole incident on a throwaway local cluster, end to end.</summary>
internal static class DemoCommand
{
    private const long DemoQuota = 16 * 1024 * 1024;

    private static readonly QuotaBackendBytes RaisedQuota = QuotaBackendBytes.Parse("64MiB");

    public static Command Create()
    {
        var command = new Command("demo", """
            Start a throwaway 3-member etcd cluster on loopback (etcd from ETCD_BIN or PATH, 16 MiB quota), show its status,
            fill it until writes fail with NOSPACE, diagnose, recover the space with a progress display, show the sizes before
            and after, replace one member and show the cluster consistent, raise the quota through the members' manifests
            (each restarted in turn; they outlive any one process), then stop everything it started (also on Ctrl+C).
            With -o json, prints the outcome for scripts.

            Example: etcd-doctor demo
            """);
        command.SetAction((parse, cancellationToken) => RunAsync(Output.IsJson(parse), cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(bool json, CancellationToken cancellationToken)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context => { context.Cancel = true; stop.Cancel(); });
        var outcome = new DemoOutcome();
        LocalEtcdCluster? cluster = null;
        try
        {
            Say(json, "[bold]1. Start a throwaway 3-member cluster[/] (16 MiB quota, loopback only)");
            // Each member a local process started from its own manifest, so that raise-quota and replace-member work on it as on real nodes.
            cluster = await LocalEtcdCluster.StartAsync(new LocalEtcdClusterOptions { Members = 3, MemberNamePrefix = "demo-", Hosted = true, QuotaBackendBytes = DemoQuota }, stop.Token);
            outcome.ProcessIds = cluster.ProcessIds;
            await using var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [cluster.Endpoints], QuotaBackendBytes = DemoQuota });
            var before = await client.GetClusterStatusAsync(stop.Token);
            if (!json)
            {
                Output.WriteStatus(before);
            }

            Say(json, "[bold]2. Fill it until etcd refuses writes[/] (900 KB values overwriting a few keys, as a busy controller does)");
            var value = new byte[900 * 1024];
            for (var i = 0; outcome.NoSpaceError is null; i++)
            {
                Random.Shared.NextBytes(value);
                try
                {
                    await client.PutAsync($"/demo/blob/{i % 4}", value, cancellationToken: stop.Token);
                    outcome.WritesBeforeNoSpace++;
                }
                catch (EtcdNoSpaceException ex)
                {
                    outcome.NoSpaceError = ex.ServerMessage;
                    Say(json, $"   write #{i + 1} failed: [red]{Markup.Escape(ex.ServerMessage ?? ex.Message)}[/]");
                }
            }

            // A refused write through every member raises NOSPACE on each, as it happens in the field.
            foreach (var endpoint in client.Endpoints)
            {
                try
                {
                    await client.PutAsync("/demo/more", value, endpoint, stop.Token);
                }
                catch (EtcdNoSpaceException)
                {
                }
            }

            outcome.WritesFailedBefore = await WritesFailAsync(client, stop.Token);
            Say(json, "[bold]3. Diagnose[/] (etcd-doctor check)");
            await using (var poller = new ClusterPoller(client))
            {
                var round = await poller.PollOnceAsync(stop.Token);
                outcome.Findings = [.. round.Findings.Select(f => f.ToString())];
                if (!json)
                {
                    Output.WriteStatus(await client.GetClusterStatusAsync(stop.Token));
                    foreach (var finding in round.Findings)
                    {
                        var colour = finding.Severity == FindingSeverity.Error ? "red" : finding.Severity == FindingSeverity.Warning ? "yellow" : "grey";
                        Output.Terminal.MarkupLine($"   [{colour}]{finding.Severity}[/] {Markup.Escape(finding.Summary)} [grey]({Markup.Escape(finding.Evidence)})[/]");
                        Output.Terminal.MarkupLine($"      -> {Markup.Escape(finding.Recommendation.Description)}");
                    }
                }
            }

            Say(json, "[bold]4. Recover the space[/] (etcd-doctor recover-space)");
            var recovery = await RecoverSpaceAsync(client, json, stop.Token);
            outcome.Recovery = recovery;
            if (!json)
            {
                RecoverSpaceCommand.WriteReport(recovery);
            }

            outcome.WritesWorkAfter = !await WritesFailAsync(client, stop.Token);
            Say(json, outcome.WritesWorkAfter ? "   [green]a new write succeeds[/]" : "   [red]writes still fail[/]");

            var victim = cluster.Members[1];
            Say(json, $"[bold]5. Replace member {victim.Name}[/] (etcd-doctor replace-member: snapshot, remove, data dir aside, add as learner, rejoin, promote)");
            var coordinator = new MemberReplacementCoordinator(client, new MemberReplacementOptions
            {
                JournalDirectory = Path.Combine(cluster.Root, "journals"),
                SnapshotDirectory = Path.Combine(cluster.Root, "snapshots"),
            });
            var operation = await coordinator.StartAsync(
                new MemberReplacementRequest { MemberName = victim.Name, Host = victim.Host!, PeerUrls = [victim.PeerUrl] },
                json ? null : Output.Progress<MemberReplacementProgress>(p => (p.Elapsed, p.Message)), stop.Token);
            var replaced = await operation.WaitForCompletionAsync(stop.Token);
            outcome.ReplacedMember = victim.Name;
            outcome.OldMemberId = replaced.OldMemberId.ToString();
            outcome.NewMemberId = replaced.NewMemberId.ToString();
            outcome.ArchivedDataDirectory = replaced.ArchivedDataDirectory;

            // A member that rejoins replays the leader's raft log: its file grows with every value ever written since the last
            // raft snapshot, which is how a follower's DB ends up larger than the leader's (and over quota) in the field.
            var rejoined = await client.GetStatusAsync(EtcdEndpoint.Parse(victim.ClientUrl), stop.Token);
            Say(json, $"   the new {victim.Name} replayed the log and its file is {Output.Bytes(rejoined.DbSize)} ({Output.Percent(rejoined.QuotaUsage)} of quota): defragment again");
            var second = await RecoverSpaceAsync(client, json, stop.Token);
            outcome.WritesWorkAtEnd = second.Succeeded && !await WritesFailAsync(client, stop.Token);
            var check = await new ConsistencyChecker(client).CheckAsync(stop.Token);
            outcome.ConsistentAfterReplacement = check.IsConsistent && check.Members.Count == 3 && check.Members.All(m => m.IsStarted && !m.IsLearner);
            if (!json)
            {
                Output.WriteStatus(await client.GetClusterStatusAsync(stop.Token));
                Output.Terminal.MarkupLine(outcome.ConsistentAfterReplacement
                    ? $"   [green]{victim.Name} rejoined as {replaced.NewMemberId} (was {replaced.OldMemberId}); all three members hold the same data (HashKV {check.MajorityHash:x8} at revision {check.HashRevision})[/]"
                    : $"   [red]the cluster is not consistent:[/] {Markup.Escape(string.Join("; ", check.Suspects.SelectMany(m => m.Findings).Select(f => f.Message)))}");
                Output.Terminal.MarkupLine($"   the old data dir was kept at {Markup.Escape(replaced.ArchivedDataDirectory ?? "-")}");
            }

            Say(json, $"[bold]6. Raise the quota to {RaisedQuota.ToDisplayString()}[/] (etcd-doctor raise-quota: each member's manifest patched, member restarted and caught up, leader last)");
            var quotaRaise = new QuotaRaise(client, [.. cluster.Members.Select(m => (IEtcdMemberHost)m.Host!)], new QuotaRaiseOptions { NewQuota = RaisedQuota });
            var raise = await OperationRunner.RunAsync(
                await quotaRaise.StartAsync(await quotaRaise.PlanAsync(stop.Token), cancellationToken: stop.Token), json ? null : p => (p.Elapsed, p.Message), null, stop.Token);
            outcome.QuotaRaisedOn = [.. raise.Members.Where(m => m.Restarted).Select(m => m.Member)];
            outcome.WritesWorkAfterQuotaRaise = !await WritesFailAsync(client, stop.Token);
            Say(json, $"   {outcome.QuotaRaisedOn.Count} members restarted with --quota-backend-bytes={RaisedQuota}; they run on until the demo stops them");

            return outcome.Succeeded ? 0 : 1;
        }
        finally
        {
            if (cluster is not null)
            {
                // Members restarted by the replacement and the quota raise run as new processes: stop and check those too.
                outcome.ProcessIds = [.. outcome.ProcessIds.Union(cluster.ProcessIds)];
                Say(json, "[bold]Stopping everything the demo started[/]");
                await cluster.DisposeAsync();
                outcome.ProcessesLeft = LocalEtcdCluster.StillRunning(outcome.ProcessIds);
            }

            if (json)
            {
                Output.WriteJson(outcome);
            }
        }
    }

    /// <summary>Plans a space recovery, starts that plan and runs it to the end through its handle.</summary>
    private static async Task<SpaceRecoveryReport> RecoverSpaceAsync(EtcdMaintenanceClient client, bool json, CancellationToken cancellationToken)
    {
        var recovery = new SpaceRecovery(client);
        var operation = await recovery.StartAsync(await recovery.PlanAsync(cancellationToken), cancellationToken: cancellationToken);
        return await OperationRunner.RunAsync(operation, json ? null : p => (p.Elapsed, p.Message), null, cancellationToken);
    }

    private static async Task<bool> WritesFailAsync(EtcdMaintenanceClient client, CancellationToken cancellationToken)
    {
        try
        {
            await client.PutAsync("/demo/probe", "x"u8.ToArray(), cancellationToken: cancellationToken);
            return false;
        }
        catch (EtcdNoSpaceException)
        {
            return true;
        }
    }

    private static void Say(bool json, string markup)
    {
        if (!json)
        {
            Output.Terminal.MarkupLine(markup);
        }
    }

    /// <summary>What the demo showed, for <c>-o json</c> and for the test that runs it.</summary>
    internal sealed class DemoOutcome
    {
        public int WritesBeforeNoSpace { get; set; }

        public string? NoSpaceError { get; set; }

        public bool WritesFailedBefore { get; set; }

        public SpaceRecoveryReport? Recovery { get; set; }

        public bool WritesWorkAfter { get; set; }

        public IReadOnlyList<int> ProcessIds { get; set; } = [];

        public IReadOnlyList<int> ProcessesLeft { get; set; } = [];

        public IReadOnlyList<string> Findings { get; set; } = [];

        public string? ReplacedMember { get; set; }

        public string? OldMemberId { get; set; }

        public string? NewMemberId { get; set; }

        public string? ArchivedDataDirectory { get; set; }

        public bool ConsistentAfterReplacement { get; set; }

        public bool WritesWorkAtEnd { get; set; }

        public IReadOnlyList<string> QuotaRaisedOn { get; set; } = [];

        public bool WritesWorkAfterQuotaRaise { get; set; }

        public bool Succeeded => WritesFailedBefore && WritesWorkAfter && Recovery is { Succeeded: true } && ConsistentAfterReplacement && WritesWorkAtEnd
            && QuotaRaisedOn.Count == 3 && WritesWorkAfterQuotaRaise && ProcessesLeft.Count == 0;
    }
}
