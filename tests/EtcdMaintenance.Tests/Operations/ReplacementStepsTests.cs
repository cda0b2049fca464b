using System.Reflection;
using EtcdMaintenance.Operations;
using EtcdMaintenance.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>The replacement's steps as objects: the plan describes the list the handle runs, and a resumed run skips what is done.</summary>
public sealed class ReplacementStepsTests : IDisposable
{
    private readonly FakeEtcdCluster _cluster = new();
    private readonly FakeMemberHost _host;
    private readonly SteppingTimeProvider _time = new();
    private readonly string _journals;

    public ReplacementStepsTests()
    {
        _host = new FakeMemberHost(_cluster, "n2");
        _journals = Path.Combine(_host.Root, "journals");
    }

    /// <summary>The steps that have their own already-done check.</summary>
    public static TheoryData<MemberReplacementStep> StepsWithADoneCheck() =>
    [
        MemberReplacementStep.Snapshot,
        MemberReplacementStep.MoveLeader,
        MemberReplacementStep.RemoveMember,
        MemberReplacementStep.ArchiveDataDirectory,
        MemberReplacementStep.AddMember,
        MemberReplacementStep.StartMember,
        MemberReplacementStep.PromoteMember,
    ];

    public void Dispose() => _host.Dispose();

    [Fact]
    public async Task ThePlansSteps_AreTheStepsTheHandleRuns_SameNamesSameOrder()
    {
        var plan = await Coordinator().PlanAsync(Request());
        var operation = await Coordinator().StartAsync(Request());

        var result = await operation.WaitForCompletionAsync();

        Assert.Equal(plan.StepIds, result.Steps.Select(s => s.Step));
        Assert.Equal(plan.StepIds.Select(id => id.ToString()), ReplacementSteps.All.Select(s => s.Name));
        Assert.Equal(Enumerable.Range(1, plan.StepIds.Count), plan.Steps.Select(s => s.Number));
        Assert.Contains("member remove", plan.Steps[plan.StepIds.ToList().IndexOf(MemberReplacementStep.RemoveMember)].EquivalentCommand, StringComparison.Ordinal);
        Assert.Contains("member add n2", plan.Steps[plan.StepIds.ToList().IndexOf(MemberReplacementStep.AddMember)].EquivalentCommand, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDoneCheckCases_CoverEveryStepThatHasADoneCheck()
    {
        var withCheck = ReplacementSteps.All
            .Where(s => s.GetType().GetMethod(nameof(ReplacementStep.IsDoneAsync), BindingFlags.Public | BindingFlags.Instance)!.DeclaringType == s.GetType())
            .Select(s => s.Id);

        Assert.Equal(StepsWithADoneCheck().Select(row => row.Data), withCheck);
    }

    [Theory]
    [MemberData(nameof(StepsWithADoneCheck))]
    public async Task AResumedRun_SkipsAStepWhoseWorkIsDone_ThroughItsDoneCheck(MemberReplacementStep step)
    {
        var operation = await Coordinator().StartAsync(Request());
        while (operation.CurrentStep != step)
        {
            await operation.UpdateStatusAsync();
        }

        await operation.UpdateStatusAsync();
        var changes = _cluster.Changes.Count;
        var actions = _host.Actions.Count;
        // The step's work is done, but the run died before the journal said so.
        var after = operation.GetCheckpoint();
        var rewound = after with { NextStep = step, CompletedSteps = [.. after.CompletedSteps.SkipLast(1)] };
        await MemberReplacementJournal.WriteAsync(operation.JournalPath, rewound, CancellationToken.None);
        var context = ReplacementContext.ForRun(_cluster, _host, Options(), NullLogger.Instance, _time, operation.JournalPath, rewound, (_, _, _) => { });
        context.Begin(rewound);
        Assert.True(await ReplacementSteps.For(step).IsDoneAsync(context, CancellationToken.None));

        var resumed = await Coordinator().ResumeAsync(operation.JournalPath, _host);
        await resumed.UpdateStatusAsync();

        var record = resumed.GetCheckpoint().CompletedSteps[^1];
        Assert.Equal(step, record.Step);
        Assert.True(record.AlreadyDone, record.Note);
        Assert.Equal(ReplacementSteps.Next(step), resumed.CurrentStep);
        Assert.Equal(changes, _cluster.Changes.Count);
        Assert.Equal(actions, _host.Actions.Count);
        Assert.True((await resumed.WaitForCompletionAsync()).NewMemberId != MemberId.None);
    }

    private MemberReplacementOptions Options() => new()
    {
        JournalDirectory = _journals,
        PollInterval = TimeSpan.FromMilliseconds(200),
        MaxRetryDelay = TimeSpan.FromSeconds(2),
    };

    private MemberReplacementCoordinator Coordinator() => new(_cluster, Options(), timeProvider: _time);

    private MemberReplacementRequest Request() => new() { MemberName = "n2", Host = _host, PeerUrls = [_cluster["n2"].PeerUrl], AsLearner = true };
}
