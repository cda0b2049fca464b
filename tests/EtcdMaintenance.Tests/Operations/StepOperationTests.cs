using EtcdMaintenance.Operations;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Tests.Operations;

/// <summary>The step runner: order, skip, checkpoint per step, failure and cancellation at a step boundary, progress, resume.</summary>
public sealed class StepOperationTests : IDisposable
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero));
    private readonly string _dir = Directory.CreateTempSubdirectory("step-operation-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private sealed class Context
    {
        public List<string> Ran { get; } = [];
        public ProgressFeed<string> Feed { get; } = new();
    }

    private sealed class Step(string name, bool done = false, Exception? fails = null, Func<CancellationToken, Task>? wait = null) : IOperationStep<Context>
    {
        public string Name => name;

        public OperationStep Describe(Context context, int number) => new() { Number = number, Description = $"do {name}", EquivalentCommand = $"echo {name}" };

        public ValueTask<bool> IsDoneAsync(Context context, CancellationToken cancellationToken) => ValueTask.FromResult(done);

        public async Task RunAsync(Context context, CancellationToken cancellationToken)
        {
            if (wait is not null)
            {
                await wait(cancellationToken);
            }

            if (fails is not null)
            {
                throw fails;
            }

            context.Ran.Add(name);
            context.Feed.Publish($"ran {name}");
        }
    }

    private OperationCheckpoint NewCheckpoint(params IOperationStep<Context>[] steps) => new()
    {
        OperationId = "op-1",
        Kind = "Test",
        StepNames = [.. steps.Select(s => s.Name)],
        CreatedAt = _time.GetUtcNow(),
        UpdatedAt = _time.GetUtcNow(),
    };

    private StepOperation<Context, string, string> Start(Context context, IOperationStep<Context>[] steps, OperationCheckpoint? checkpoint = null, string? path = null) =>
        new(context, steps, checkpoint ?? NewCheckpoint(steps), context.Feed,
            (c, _) => Task.FromResult("finished: " + string.Join(",", c.Ran)),
            (_, _, _) => Task.FromResult<string?>(null), path, _time, NullLogger.Instance);

    [Fact]
    public async Task RunsStepsInOrder_SkippingThoseAlreadyDone()
    {
        var context = new Context();
        var operation = Start(context, [new Step("a"), new Step("b", done: true), new Step("c")]);

        var result = await operation.WaitForCompletionAsync();

        Assert.Equal("finished: a,c", result);
        Assert.True(operation.HasCompleted);
        Assert.Equal(["a", "b", "c"], operation.GetCheckpoint().CompletedSteps);
        Assert.True(operation.GetCheckpoint().IsCompleted);
    }

    [Fact]
    public async Task WritesTheCheckpointAfterEveryStep_OwnerOnly()
    {
        var path = Path.Combine(_dir, "op.json");
        var operation = Start(new Context(), [new Step("a"), new Step("b")], path: path);

        await operation.UpdateStatusAsync();
        var afterFirst = await OperationCheckpoint.ReadAsync(path);
        _time.Advance(TimeSpan.FromMinutes(1));
        await operation.UpdateStatusAsync();
        var afterSecond = await OperationCheckpoint.ReadAsync(path);

        Assert.Equal(["a"], afterFirst.CompletedSteps);
        Assert.Equal(["a", "b"], afterSecond.CompletedSteps);
        Assert.Equal(afterFirst.UpdatedAt + TimeSpan.FromMinutes(1), afterSecond.UpdatedAt);
        Assert.Equal(OperationCheckpoint.CurrentVersion, afterSecond.Version);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
    }

    [Fact]
    public async Task AFailingStep_StopsAtItsBoundary_AndTheCheckpointNamesItAndWhatWasDone()
    {
        var context = new Context();
        var operation = Start(context, [new Step("a"), new Step("b", fails: new EtcdException("b broke")), new Step("c")]);

        var error = await Assert.ThrowsAsync<EtcdException>(async () => await operation.WaitForCompletionAsync());

        Assert.Equal("b broke", error.Message);
        Assert.Equal(["a"], context.Ran);
        Assert.False(operation.HasCompleted);
        var checkpoint = operation.GetCheckpoint();
        Assert.Equal(["a"], checkpoint.CompletedSteps);
        Assert.Contains("step 2 (b) failed: b broke", checkpoint.LastError, StringComparison.Ordinal);
        Assert.Contains("Done before it: a.", checkpoint.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cancellation_StopsTheRun_WithoutRecordingTheStep()
    {
        using var cancel = new CancellationTokenSource();
        var context = new Context();
        var operation = Start(context, [new Step("a", wait: async ct => { await cancel.CancelAsync(); ct.ThrowIfCancellationRequested(); }), new Step("b")]);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await operation.WaitForCompletionAsync(cancel.Token));

        Assert.Empty(context.Ran);
        Assert.Empty(operation.GetCheckpoint().CompletedSteps);
        Assert.Equal("finished: a,b", await operation.WaitForCompletionAsync());
    }

    [Fact]
    public async Task WatchProgress_SeesEveryEvent_FromBeforeAndAfterItStarted_AndEndsWithTheRun()
    {
        var operation = Start(new Context(), [new Step("a"), new Step("b"), new Step("c")]);
        await operation.UpdateStatusAsync();
        var watched = new List<string>();
        var watch = Task.Run(async () =>
        {
            await foreach (var item in operation.WatchProgressAsync())
            {
                watched.Add(item);
            }
        });

        await operation.WaitForCompletionAsync();
        await watch.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(["ran a", "ran b", "ran c"], watched);
    }

    [Fact]
    public async Task Resume_FromASavedCheckpoint_SkipsTheCompletedSteps()
    {
        var path = Path.Combine(_dir, "op.json");
        var first = new Context();
        var steps = new IOperationStep<Context>[] { new Step("a"), new Step("b") };
        await Start(first, steps, path: path).UpdateStatusAsync();

        var resumed = new Context();
        var operation = Start(resumed, steps, await OperationCheckpoint.ReadAsync(path), path);
        await operation.WaitForCompletionAsync();

        Assert.Equal(["b"], resumed.Ran);
        Assert.Equal(["a", "b"], (await OperationCheckpoint.ReadAsync(path)).CompletedSteps);
    }

    [Fact]
    public void ACheckpointOfOtherSteps_IsRefused()
    {
        var checkpoint = NewCheckpoint(new Step("x"));

        var error = Assert.Throws<InvalidDataException>(() => Start(new Context(), [new Step("a")], checkpoint));

        Assert.Contains("lists the steps x, not a", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TheLastStep_CompletesTheRun_InTheSameCall()
    {
        var operation = Start(new Context(), [new Step("a"), new Step("b")]);

        await operation.UpdateStatusAsync();
        Assert.False(operation.HasCompleted);
        await operation.UpdateStatusAsync();

        Assert.True(operation.HasCompleted);
        Assert.Equal("finished: a,b", operation.Result);
    }

    [Fact]
    public async Task AFailureHandlerThatThrowsItsOwnError_ThrowsIt_AndEndsTheWatchers()
    {
        var context = new Context();
        var steps = new IOperationStep<Context>[] { new Step("a", fails: new EtcdException("a broke")) };
        var operation = new StepOperation<Context, string, string>(
            context, steps, NewCheckpoint(steps), context.Feed,
            (_, _) => Task.FromResult("finished"),
            (_, message, error) => Task.FromException<string?>(new InvalidOperationException("advice: " + message, error)),
            null, _time, NullLogger.Instance);
        context.Feed.Publish("before");

        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () => await operation.UpdateStatusAsync());
        var watched = new List<string>();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await foreach (var item in operation.WatchProgressAsync(deadline.Token))
        {
            watched.Add(item);
        }

        Assert.StartsWith("advice: step 1 (a) failed: a broke", thrown.Message, StringComparison.Ordinal);
        Assert.Equal(["before"], watched);
        Assert.Contains("a broke", operation.GetCheckpoint().LastError, StringComparison.Ordinal);
    }
}
