using System.Diagnostics.Metrics;
using EtcdMaintenance.Monitoring;
using EtcdMaintenance.Tests.Infrastructure;
using Microsoft.Extensions.Options;
using static EtcdMaintenance.Tests.Monitoring.Snapshots;

namespace EtcdMaintenance.Tests.Monitoring;

/// <summary>The poller against a fake client on a manual clock: rounds, intervals, overlap, cancellation, history, metrics.</summary>
public sealed class ClusterPollerTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(10);

    private static int IndexOf(EtcdEndpoint endpoint) => FakeStatusClient.ThreeEndpoints.ToList().IndexOf(endpoint);

    private static FakeStatusClient HealthyClient() =>
        new(FakeStatusClient.ThreeEndpoints, (e, _) => Task.FromResult(Status(IndexOf(e))));

    [Fact]
    public async Task Watch_PollsAtOnce_ThenOncePerInterval_OnTheInjectedClock()
    {
        var time = new FakeTimeProvider();
        var client = HealthyClient();
        await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = TimeSpan.FromSeconds(5) }, timeProvider: time);
        using var cts = new CancellationTokenSource();
        await using var rounds = poller.WatchAsync(cts.Token).GetAsyncEnumerator();

        Assert.True(await rounds.MoveNextAsync().AsTask().WaitAsync(s_wait));
        var first = rounds.Current;
        var next = rounds.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.False(next.IsCompleted);
        Assert.Equal(3, client.Calls);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.True(await next.WaitAsync(s_wait));

        Assert.Equal(1, first.Round);
        Assert.Equal(2, rounds.Current.Round);
        Assert.Equal(first.Timestamp + TimeSpan.FromSeconds(5), rounds.Current.Timestamp);
        Assert.Equal(6, client.Calls);
        Assert.Equal(3, rounds.Current.UpCount);
        Assert.Equal(Id(0), rounds.Current.Leader);
        Assert.Same(rounds.Current, poller.Latest);
        Assert.Empty(rounds.Current.Findings);
    }

    [Fact]
    public async Task Members_AreAskedConcurrently()
    {
        var release = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, async (e, _) =>
        {
            await release.Task;
            return Status(IndexOf(e));
        });
        await using var poller = new ClusterPoller(client, timeProvider: new FakeTimeProvider());

        var round = poller.PollOnceAsync();
        Assert.Equal(3, client.InFlight);
        release.SetResult(true);

        Assert.Equal(3, (await round.WaitAsync(s_wait)).UpCount);
    }

    [Fact]
    public async Task Rounds_NeverOverlap_AManualPollWaitsForTheRoundInProgress()
    {
        var time = new FakeTimeProvider();
        var blockMember2 = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, async (e, _) =>
        {
            var call = Interlocked.Increment(ref calls);
            if (IndexOf(e) == 2 && call > 3)
            {
                await blockMember2.Task;
            }

            return Status(IndexOf(e));
        });
        await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = TimeSpan.FromSeconds(1) }, timeProvider: time);
        using var cts = new CancellationTokenSource();
        await using var rounds = poller.WatchAsync(cts.Token).GetAsyncEnumerator();
        Assert.True(await rounds.MoveNextAsync().AsTask().WaitAsync(s_wait));

        var second = rounds.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => client.Calls == 6);
        var manual = poller.PollOnceAsync();
        time.Advance(TimeSpan.FromSeconds(10)); // ticks while the round is stuck do not start another one

        Assert.Equal(1, client.InFlight);
        Assert.Equal(6, client.Calls);
        blockMember2.SetResult(true);
        Assert.True(await second.WaitAsync(s_wait));
        Assert.Equal(3, (await manual.WaitAsync(s_wait)).Round);
        Assert.InRange(client.MaxInFlight, 1, 3);
    }

    [Fact]
    public async Task AMemberGoingDownAndComingBack_IsDownInTheSnapshots_WithItsLastKnownId_ThenUp()
    {
        var down = false;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, (e, _) =>
            IndexOf(e) == 1 && Volatile.Read(ref down) ? Task.FromException<EndpointStatus>(FakeStatusClient.Refused(e)) : Task.FromResult(Status(IndexOf(e))));
        await using var poller = new ClusterPoller(client, timeProvider: new FakeTimeProvider());

        var before = await poller.PollOnceAsync();
        Volatile.Write(ref down, true);
        var during = await poller.PollOnceAsync();
        Volatile.Write(ref down, false);
        var after = await poller.PollOnceAsync();

        Assert.True(before.Members[1].IsUp);
        var missing = during.Members[1];
        Assert.False(missing.IsUp);
        Assert.Equal(Id(1), missing.MemberId);
        Assert.Equal(EtcdErrorCode.EndpointUnavailable, missing.Error!.ErrorCode);
        Assert.Equal(2, during.UpCount);
        var unreachable = Assert.Single(during.Findings.OfType<MemberUnreachableFinding>());
        Assert.Equal(Endpoint(1).Text, unreachable.Endpoint);
        Assert.True(after.Members[1].IsUp);
        Assert.Empty(after.Findings);
    }

    [Fact]
    public async Task Cancellation_StopsTheWatch_CancelsTheCallsInFlight_AndRecordsNoPartialRound()
    {
        var time = new FakeTimeProvider();
        var cancelled = 0;
        var hang = false;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, async (e, ct) =>
        {
            if (Volatile.Read(ref hang))
            {
                try
                {
                    await Task.Delay(Timeout.Infinite, ct);
                }
                catch (OperationCanceledException)
                {
                    Interlocked.Increment(ref cancelled);
                    throw;
                }
            }

            return Status(IndexOf(e));
        });
        await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = TimeSpan.FromSeconds(1) }, timeProvider: time);
        using var cts = new CancellationTokenSource();
        await using var rounds = poller.WatchAsync(cts.Token).GetAsyncEnumerator();
        Assert.True(await rounds.MoveNextAsync().AsTask().WaitAsync(s_wait));
        Volatile.Write(ref hang, true);
        var next = rounds.MoveNextAsync().AsTask();
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => client.InFlight == 3);

        await cts.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next.WaitAsync(s_wait));
        Assert.Equal(3, Volatile.Read(ref cancelled));
        Assert.Equal(0, client.InFlight);
        Assert.Equal(1, poller.Latest!.Round);
    }

    [Fact]
    public async Task RunAsync_CallsBackWithEachRound_AndAnExceptionFromTheCallbackStopsIt()
    {
        var time = new FakeTimeProvider();
        await using var poller = new ClusterPoller(HealthyClient(), new ClusterPollerOptions { Interval = TimeSpan.FromSeconds(1) }, timeProvider: time);
        var seen = new List<long>();

        var run = poller.RunAsync((snapshot, _) =>
        {
            seen.Add(snapshot.Round);
            return snapshot.Round == 3 ? throw new InvalidOperationException("stop here") : ValueTask.CompletedTask;
        });
        await WaitUntilAsync(() => seen.Count == 1);
        time.Advance(TimeSpan.FromSeconds(1));
        await WaitUntilAsync(() => seen.Count == 2);
        time.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => run.WaitAsync(s_wait));
        Assert.Equal("stop here", error.Message);
        Assert.Equal([1L, 2L, 3L], seen);
    }

    [Fact]
    public async Task LeaderChanges_AreCounted_ForANewLeader_AndForAReElectionInAHigherTerm()
    {
        var leader = 0;
        ulong term = 2;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, (e, _) =>
            Task.FromResult(Status(IndexOf(e), leader: Volatile.Read(ref leader), term: Volatile.Read(ref term))));
        await using var poller = new ClusterPoller(client, timeProvider: new FakeTimeProvider());

        var first = await poller.PollOnceAsync();
        await poller.PollOnceAsync();
        Volatile.Write(ref leader, 1);
        Volatile.Write(ref term, 3);
        var moved = await poller.PollOnceAsync();
        Volatile.Write(ref term, 5);
        var reElected = await poller.PollOnceAsync();

        Assert.Equal(0, first.LeaderChanges);
        Assert.Equal(1, moved.LeaderChanges);
        Assert.Equal(Id(1), moved.Leader);
        Assert.Equal(2, reElected.LeaderChanges);
    }

    [Fact]
    public async Task DownSince_IsTheFirstFailedRound_EvenWhenTheHistoryKeptNoneOfTheRun()
    {
        var time = new FakeTimeProvider();
        var down = false;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, (e, _) =>
            IndexOf(e) == 1 && Volatile.Read(ref down) ? Task.FromException<EndpointStatus>(FakeStatusClient.Refused(e)) : Task.FromResult(Status(IndexOf(e))));
        await using var poller = new ClusterPoller(client, new ClusterPollerOptions { Interval = TimeSpan.FromMilliseconds(100) }, timeProvider: time);

        await poller.PollOnceAsync();
        Volatile.Write(ref down, true);
        time.Advance(TimeSpan.FromMilliseconds(100));
        var first = await poller.PollOnceAsync();
        ClusterSnapshot last = first;
        for (var i = 0; i < 5; i++)
        {
            time.Advance(TimeSpan.FromMilliseconds(100));
            last = await poller.PollOnceAsync();
        }

        Assert.Single(poller.History);
        Assert.Equal(first.Timestamp, last.Members[1].DownSince);
        Assert.Equal(first.Timestamp, Assert.Single(last.Findings.OfType<MemberUnreachableFinding>()).DownSince);

        Volatile.Write(ref down, false);
        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.Null((await poller.PollOnceAsync()).Members[1].DownSince);
        Volatile.Write(ref down, true);
        time.Advance(TimeSpan.FromMilliseconds(100));
        var again = await poller.PollOnceAsync();
        Assert.Equal(again.Timestamp, again.Members[1].DownSince);
    }

    [Fact]
    public async Task TheHistory_StaysWithinMaxHistory_HoweverShortTheInterval()
    {
        var time = new FakeTimeProvider();
        var options = new ClusterPollerOptions
        {
            Interval = TimeSpan.FromSeconds(1),
            MaxHistory = 10,
            Diagnostics = new DiagnosticsOptions { ForecastWindow = TimeSpan.FromMinutes(1), LeaderChangesWindow = TimeSpan.FromMinutes(1), LearnerPromotionGrace = TimeSpan.FromMinutes(1), ForecastMinimumSpan = TimeSpan.Zero },
        };
        await using var poller = new ClusterPoller(HealthyClient(), options, timeProvider: time);

        for (var i = 0; i < 300; i++)
        {
            await poller.PollOnceAsync();
            time.Advance(TimeSpan.FromSeconds(1));
        }

        var history = poller.History;
        Assert.InRange(history.Count, 2, 10);
        Assert.True(history[^1].Timestamp - history[0].Timestamp <= TimeSpan.FromMinutes(1));
        Assert.All(history.Zip(history.Skip(1)), pair => Assert.True(pair.Second.Timestamp - pair.First.Timestamp >= TimeSpan.FromSeconds(6)));
    }

    [Fact]
    public async Task AtTheDefaults_EveryRoundIsKept_EvenWithTimerJitter()
    {
        var time = new FakeTimeProvider();
        await using var poller = new ClusterPoller(HealthyClient(), timeProvider: time);

        for (var i = 0; i < 50; i++)
        {
            await poller.PollOnceAsync();
            time.Advance(TimeSpan.FromSeconds(5) - TimeSpan.FromMilliseconds(i % 2 == 0 ? 3 : 0));
        }

        Assert.Equal(50, poller.History.Count);
    }

    [Fact]
    public async Task AGrowingDatabase_BringsAForecastIntoTheSnapshots()
    {
        var time = new FakeTimeProvider();
        var size = 10 * MiB;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, (e, _) =>
            Task.FromResult(Status(IndexOf(e), dbSize: Interlocked.Read(ref size), inUse: null, quota: 100 * MiB)));
        var options = new ClusterPollerOptions { Interval = TimeSpan.FromMinutes(1) };
        await using var poller = new ClusterPoller(client, options, timeProvider: time);

        ClusterSnapshot latest = null!;
        for (var minute = 0; minute <= 10; minute++)
        {
            latest = await poller.PollOnceAsync();
            Interlocked.Add(ref size, MiB / 10); // 6 MiB per hour
            time.Advance(TimeSpan.FromMinutes(1));
        }

        var forecasts = latest.Findings.OfType<QuotaForecastFinding>().ToList();
        Assert.Equal(3, forecasts.Count);
        Assert.All(forecasts, f => Assert.Equal(6.0, f.GrowthBytesPerHour / MiB, precision: 3));
        Assert.All(forecasts, f => Assert.Equal((100 - 11) / 6.0, f.TimeToQuota.TotalHours, precision: 2));
    }

    [Fact]
    public async Task Metrics_ArePublished_WithOpenTelemetryStyleNamesAndUnits()
    {
        var time = new FakeTimeProvider();
        var leader = 0;
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, (e, _) => IndexOf(e) == 2 && Volatile.Read(ref leader) == 1
            ? Task.FromException<EndpointStatus>(FakeStatusClient.Refused(e))
            : Task.FromResult(Status(IndexOf(e), dbSize: 40 * MiB, inUse: 10 * MiB, quota: 100 * MiB, leader: Volatile.Read(ref leader), errors: [$"memberID:{Id(0).Value} alarm:NOSPACE "])));
        var measurements = new List<(string Name, string? Unit, double Value, Dictionary<string, object?> Tags)>();
        using var meters = new TestMeterFactory();
        await using var poller = new ClusterPoller(client, timeProvider: time, meterFactory: meters);
        var meter = Assert.Single(meters.Created);
        Assert.Equal(EtcdTelemetry.MeterName, meter.Name);
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            lock (measurements)
            {
                measurements.Add((instrument.Name, instrument.Unit, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));
            }
        }

        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        await poller.PollOnceAsync();
        Volatile.Write(ref leader, 1);
        await poller.PollOnceAsync();
        listener.RecordObservableInstruments();

        (string Unit, double Value) One(string name, int member) => measurements
            .Where(m => m.Name == name && Equals(m.Tags.GetValueOrDefault("etcd.endpoint"), Endpoint(member).Text))
            .Select(m => (m.Unit!, m.Value)).Last();
        Assert.Equal(("By", 40.0 * MiB), One("etcd.maintenance.db.size", 0));
        Assert.Equal(("By", 10.0 * MiB), One("etcd.maintenance.db.size_in_use", 1));
        Assert.Equal(("1", 0.4), One("etcd.maintenance.db.quota_usage", 0));
        Assert.Equal(("1", 0.75), One("etcd.maintenance.db.fragmentation", 0));
        Assert.Equal(("1", 1.0), One("etcd.maintenance.member.up", 0));
        Assert.Equal(("1", 0.0), One("etcd.maintenance.member.up", 2));
        Assert.Equal(Id(2).ToString(), measurements.First(m => m.Name == "etcd.maintenance.member.up" && m.Value == 0).Tags["etcd.member.id"]);
        var polls = measurements.Where(m => m.Name == "etcd.maintenance.poll.duration").ToList();
        Assert.Equal(6, polls.Count);
        Assert.All(polls, p => Assert.Equal("s", p.Unit));
        Assert.Single(polls, p => Equals(p.Tags.GetValueOrDefault("error.type"), nameof(EtcdErrorCode.EndpointUnavailable)));
        Assert.Equal(1.0, measurements.Where(m => m.Name == "etcd.maintenance.leader.changes").Sum(m => m.Value));
        Assert.Contains(measurements, m => m.Name == "etcd.maintenance.alarms.active" && m.Value == 1 && Equals(m.Tags["etcd.alarm.type"], "NOSPACE"));
        Assert.Contains(measurements, m => m.Name == "etcd.maintenance.findings.active" && Equals(m.Tags["etcd.finding.kind"], nameof(FindingKind.MemberUnreachable)));
    }

    [Fact]
    public void InvalidOptions_AreRefused_IncludingTheDiagnostics()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new ClusterPoller(HealthyClient(), new ClusterPollerOptions
        {
            Interval = TimeSpan.Zero,
            MaxHistory = 1,
            Diagnostics = new DiagnosticsOptions { QuotaWarningRatio = 2 },
        }));

        Assert.Contains(error.Failures, f => f.StartsWith("Interval", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("MaxHistory", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Diagnostics.QuotaWarningRatio", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AfterDispose_PollingThrowsObjectDisposed()
    {
        var poller = new ClusterPoller(HealthyClient(), timeProvider: new FakeTimeProvider());
        await poller.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => poller.PollOnceAsync());
    }

    /// <summary>Keeps the meters it creates, so that a test listens to its own poller only (tests run in parallel).</summary>
    private sealed class TestMeterFactory : IMeterFactory
    {
        public List<Meter> Created { get; } = [];

        public Meter Create(MeterOptions options)
        {
            var meter = new Meter(options);
            Created.Add(meter);
            return meter;
        }

        public void Dispose()
        {
            foreach (var meter in Created)
            {
                meter.Dispose();
            }
        }
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var deadline = new CancellationTokenSource(s_wait);
        while (!condition())
        {
            await Task.Yield();
            if (deadline.IsCancellationRequested)
            {
                throw new TimeoutException("The condition did not hold within 10 s.");
            }
        }
    }
}
