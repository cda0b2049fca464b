using System.Diagnostics;
using System.Reflection;
using EtcdMaintenance.Monitoring;
using EtcdMaintenance.Tests.Infrastructure;
using Microsoft.Extensions.Logging;
using static EtcdMaintenance.Tests.Monitoring.Snapshots;

namespace EtcdMaintenance.Tests.Monitoring;

/// <summary>Monitoring as a layer of its own: its log event IDs and its traces.</summary>
public sealed class MonitoringLayerTests
{
    private const string TestSourceName = "EtcdMaintenance.Tests.MonitoringLayer";

    private static List<int> EventIds(Type log) =>
        [.. log.GetMethods(BindingFlags.Public | BindingFlags.Static).Select(m => m.GetCustomAttribute<LoggerMessageAttribute>()).OfType<LoggerMessageAttribute>().Select(a => a.EventId)];

    [Fact]
    public void MonitoringLogs_KeepTheirEventIds_InTheMonitoringRange_AndTheClientLogHasNone()
    {
        var monitoring = EventIds(typeof(MonitoringLog));

        Assert.Equal(Enumerable.Range(2000, 8), monitoring.Order());
        Assert.DoesNotContain(EventIds(typeof(Log)), id => id is >= 2000 and <= 2999);
    }

    [Fact]
    public async Task APollRound_IsTraced_UnderThePublicActivitySourceName()
    {
        var rounds = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is EtcdTelemetry.ActivitySourceName or TestSourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (activity.OperationName == "etcd.maintenance.poll")
                {
                    lock (rounds)
                    {
                        rounds.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);
        var client = new FakeStatusClient(FakeStatusClient.ThreeEndpoints, (e, _) => Task.FromResult(Status(FakeStatusClient.ThreeEndpoints.ToList().IndexOf(e))));
        await using var poller = new ClusterPoller(client, timeProvider: new FakeTimeProvider());

        using var testSource = new ActivitySource(TestSourceName);
        using var parent = testSource.StartActivity("test")!;

        var snapshot = await poller.PollOnceAsync();

        Activity round;
        lock (rounds)
        {
            // Other tests may poll at the same time: this test's round is the one under its own activity.
            round = Assert.Single(rounds, a => a.ParentSpanId == parent.SpanId);
        }

        Assert.Equal(EtcdTelemetry.ActivitySourceName, round.Source.Name);
        Assert.Equal(snapshot.Round, round.GetTagItem("etcd.poll.round"));
        Assert.Equal(3, round.GetTagItem("etcd.poll.members_up"));
        Assert.Equal(0, round.GetTagItem("etcd.poll.findings"));
    }
}
