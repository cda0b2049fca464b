using System.Diagnostics;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;
using static EtcdMaintenance.IntegrationTests.Operations.ReplacementTestKit;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>Member replacement stopped at every step boundary, crashed before journaling, killed in a child process, and refused.</summary>
public sealed class MemberReplacementResumeTests
{
    private static readonly MemberReplacementStep[] s_steps = [.. Enum.GetValues<MemberReplacementStep>().Where(s => s != MemberReplacementStep.Completed)];

    [Fact]
    public async Task CancelledAtEveryStepBoundary_AndCrashedBeforeEveryJournalWrite_ResumesWithNewCoordinators_NothingLost()
    {
        await using var cluster = await StartClusterAsync();
        await using var setup = cluster.CreateClient();
        var keys = await SeedAsync(setup);
        var leader = LeaderIndex(cluster, await setup.GetClusterStatusAsync());
        var manifest = cluster.Members[leader].Host!.ManifestPath;
        var oldId = (await setup.ListMembersAsync()).FindByName(cluster.Members[leader].Name)!.Id;
        var journal = (await new MemberReplacementCoordinator(setup, Options(cluster)).StartAsync(Request(cluster, leader))).JournalPath;

        foreach (var step in s_steps)
        {
            var before = await File.ReadAllBytesAsync(journal);

            // A new process: a new client and coordinator, resumed from the journal, cancelled at the boundary after this step.
            using var boundary = new CancellationTokenSource();
            var progress = new SyncProgress<MemberReplacementProgress>(e =>
            {
                if (e.Step == step && e.Kind is MemberReplacementProgressKind.StepCompleted or MemberReplacementProgressKind.StepSkipped)
                {
                    boundary.Cancel();
                }
            });
            await using (var client = cluster.CreateClient())
            {
                // A new host object too: it finds the member's process by its PID file, as a new process would.
                var operation = await new MemberReplacementCoordinator(client, Options(cluster)).ResumeAsync(journal, new LocalProcessEtcdHost(manifest, EtcdBinaries.Etcd), progress);
                Assert.Equal(step, operation.CurrentStep);
                if (step == MemberReplacementStep.Verify)
                {
                    await operation.WaitForCompletionAsync(boundary.Token);
                }
                else
                {
                    await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await operation.WaitForCompletionAsync(boundary.Token));
                }

                Assert.Equal(step + 1, operation.CurrentStep);
                Assert.DoesNotContain(progress.Events, e => e.Step == step + 1 && e.Kind == MemberReplacementProgressKind.StepStarted);
                Assert.Equal(step + 1, (await JournalAsync(journal)).NextStep);
                if (step == MemberReplacementStep.MoveLeader)
                {
                    // The member led: leadership really moved before it was stopped.
                    Assert.NotNull(operation.GetCheckpoint().LeaderMovedTo);
                }
            }

            // A crash after the step's effect and before its journal write: the old journal again, and the step done.
            await File.WriteAllBytesAsync(journal, before);
            await using (var client = cluster.CreateClient())
            {
                var operation = await new MemberReplacementCoordinator(client, Options(cluster)).ResumeAsync(journal, new LocalProcessEtcdHost(manifest, EtcdBinaries.Etcd));
                Assert.Equal(step, operation.CurrentStep);
                await operation.UpdateStatusAsync();
                Assert.Equal(step + 1, operation.CurrentStep);
                var record = operation.GetCheckpoint().CompletedSteps[^1];
                Assert.Equal(step, record.Step);
                if (step is MemberReplacementStep.MoveLeader or MemberReplacementStep.StopMember or MemberReplacementStep.RemoveMember
                    or MemberReplacementStep.ArchiveDataDirectory or MemberReplacementStep.AddMember or MemberReplacementStep.UpdateManifest
                    or MemberReplacementStep.StartMember or MemberReplacementStep.PromoteMember)
                {
                    Assert.True(record.AlreadyDone, $"{step} was done again instead of being recognised: {record.Note}");
                }
            }
        }

        var final = await JournalAsync(journal);
        Assert.True(final.IsCompleted);
        Assert.NotEqual(oldId, final.NewMemberId);
        Assert.Single(Directory.EnumerateDirectories(cluster.Root, "*.replaced-*"));
        await AssertHealthyAsync(cluster, setup, keys);
        var members = await setup.ListMembersAsync();
        Assert.Equal(cluster.Members[leader].Name, members.Find(final.NewMemberId!.Value)!.Name);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(journal));
        }

        // A completed journal resumes as a completed operation that does nothing.
        var done = await new MemberReplacementCoordinator(setup, Options(cluster)).ResumeAsync(journal, cluster.Members[leader].Host!);
        Assert.True(done.HasCompleted);
        Assert.Equal(final.NewMemberId, (await done.WaitForCompletionAsync()).NewMemberId);
    }

    [Fact]
    public async Task CoordinatorKilledInAChildProcessRightAfterMemberRemove_ResumesInProcess_RecognisingTheRemoval()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        var keys = await SeedAsync(client);
        var victim = cluster.Members[1];
        var oldId = (await client.ListMembersAsync()).FindByName(victim.Name)!.Id;

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            Path.Combine(AppContext.BaseDirectory, "EtcdMaintenance.ReplaceDriver.dll"),
            "--endpoints", cluster.Endpoints, "--manifest", victim.Host!.ManifestPath, "--etcd", EtcdBinaries.Etcd,
            "--journal-dir", JournalDirectory(cluster), "--snapshot-dir", Path.Combine(cluster.Root, "snapshots"),
            "--name", victim.Name, "--peer-urls", victim.PeerUrl, "--block-after-call", "MemberRemove",
        })
        {
            start.ArgumentList.Add(argument);
        }

        string? journal = null;
        var output = new List<string>();
        using (var driver = Process.Start(start)!)
        {
            var stderr = driver.StandardError.ReadToEndAsync();
            try
            {
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                while (await driver.StandardOutput.ReadLineAsync(deadline.Token) is { } line)
                {
                    output.Add(line);
                    if (line.StartsWith("JOURNAL ", StringComparison.Ordinal))
                    {
                        journal = line["JOURNAL ".Length..];
                    }

                    if (line == "BLOCKED MemberRemove")
                    {
                        break;
                    }
                }

                if (output.LastOrDefault() != "BLOCKED MemberRemove")
                {
                    driver.Kill(entireProcessTree: true);
                    Assert.Fail($"the driver did not block after member remove:\n{string.Join('\n', output)}\n{await stderr}");
                }

                // The state a crash leaves: the member is removed, the journal still says the removal is to be done.
                Assert.Null((await client.ListMembersAsync()).Find(oldId));
                Assert.Equal(MemberReplacementStep.RemoveMember, (await JournalAsync(journal!)).NextStep);
            }
            finally
            {
                driver.Kill(entireProcessTree: true);
                await driver.WaitForExitAsync();
            }

            Assert.Equal(137, driver.ExitCode);
        }

        var progress = new SyncProgress<MemberReplacementProgress>();
        var operation = await new MemberReplacementCoordinator(client, Options(cluster)).ResumeAsync(journal!, victim.Host, progress);
        var result = await operation.WaitForCompletionAsync();

        var removal = Assert.Single(result.Steps, s => s.Step == MemberReplacementStep.RemoveMember);
        Assert.True(removal.AlreadyDone, removal.Note);
        Assert.Contains(progress.Events, e => e.Step == MemberReplacementStep.RemoveMember && e.Kind == MemberReplacementProgressKind.StepSkipped);
        Assert.Equal(s_steps, result.Steps.Select(s => s.Step));
        await AssertHealthyAsync(cluster, client, keys);
    }

    [Fact]
    public async Task Refusals_UnknownMember_SecondReplacementWhileOneIsOpen_TwoOfThreeDown_ChangeNothing()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        await SeedAsync(client, 5);
        var coordinator = new MemberReplacementCoordinator(client, Options(cluster));
        var pristine = await FingerprintAsync(cluster, client);

        // An unknown member name.
        var unknown = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => coordinator.StartAsync(Request(cluster, 0) with { MemberName = "n9" }));
        Assert.Contains("no member is named 'n9'", unknown.Message, StringComparison.Ordinal);
        Assert.Equal(pristine, await FingerprintAsync(cluster, client));
        Assert.False(Directory.Exists(JournalDirectory(cluster)) && Directory.EnumerateFiles(JournalDirectory(cluster), "*.json").Any());

        // A replacement journaled open (its snapshot taken, nothing else) blocks a second one, and a second start of itself.
        var open = await coordinator.StartAsync(Request(cluster, 0));
        await open.UpdateStatusAsync();
        Assert.Equal(MemberReplacementStep.MoveLeader, open.CurrentStep);
        var second = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => coordinator.StartAsync(Request(cluster, 1)));
        Assert.Contains(open.JournalPath, second.Message, StringComparison.Ordinal);
        Assert.Contains("finish it first", second.Message, StringComparison.Ordinal);
        var again = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => coordinator.StartAsync(Request(cluster, 0)));
        Assert.Contains("resume it", again.Message, StringComparison.Ordinal);
        Assert.Equal(pristine, await FingerprintAsync(cluster, client));
        Assert.Single(Directory.EnumerateFiles(JournalDirectory(cluster), "*.json"));

        // Two of three members down: no quorum, refused before anything is touched (another journal directory, so that
        // the open journal above is not what refuses).
        await cluster.StopMemberAsync(1);
        await cluster.StopMemberAsync(2);
        await Retry.UntilAsync(async () => (await client.GetStatusAsync(cluster.Endpoint(0))).Leader.IsNone, "n1 to lose its leader");
        var elsewhere = Path.Combine(cluster.Root, "journals-2");
        var options = Options(cluster);
        options.JournalDirectory = elsewhere;
        var quorum = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => new MemberReplacementCoordinator(client, options).StartAsync(Request(cluster, 1)));
        Assert.Contains("quorum", quorum.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFiles(elsewhere, "*.json"));
        Assert.True(Directory.Exists(Path.Combine(cluster.Members[1].DataDir, "member")));
        await cluster.StartMemberAsync(1);
        await cluster.StartMemberAsync(2);
        Assert.Equal(pristine, await FingerprintAsync(cluster, client));
    }

    private static async Task<MemberReplacementCheckpoint> JournalAsync(string path) =>
        MemberReplacementJournal.Deserialize(await File.ReadAllBytesAsync(path), path);
}
