using EtcdMaintenance.Tests.Infrastructure;
using EtcdMaintenance.Tests.Transport;

namespace EtcdMaintenance.Tests.Client;

/// <summary>Call deadlines run on the client's injected <see cref="TimeProvider"/> (besides Grpc.Net.Client's own on the system clock).</summary>
public sealed class CallDeadlineTests
{
    private const string Url = "http://10.0.0.1:2379";

    /// <summary>A member that takes every call and never answers, until the call is cancelled.</summary>
    private sealed class SilentMember : HttpMessageHandler
    {
        public TaskCompletionSource CallArrived { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            CallArrived.TrySetResult();
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private static (EtcdMaintenanceClient Client, SilentMember Member, FakeTimeProvider Time) Start(TimeSpan commandTimeout)
    {
        var member = new SilentMember();
        var time = new FakeTimeProvider();
        // An hour of command timeout: Grpc.Net.Client's own deadline on the system clock cannot fire during the test.
        var client = new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [Url], CommandTimeout = commandTimeout }, null, time, _ => member);
        return (client, member, time);
    }

    [Fact]
    public async Task Status_OnASilentMember_FailsWhenTheInjectedClockPassesTheDeadline_NamingTheEndpoint()
    {
        var (client, member, time) = Start(TimeSpan.FromHours(1));
        await using var _ = client;
        var call = client.GetStatusAsync(EtcdEndpoint.Parse(Url));
        await member.CallArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        time.Advance(TimeSpan.FromMinutes(59));
        Assert.False(call.IsCompleted);   // timers on the manual clock fire synchronously in Advance: not due yet
        time.Advance(TimeSpan.FromMinutes(1));
        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));

        Assert.Equal(EtcdErrorCode.DeadlineExceeded, error.ErrorCode);
        Assert.Equal(EtcdStatusCode.DeadlineExceeded, error.StatusCode);
        Assert.True(error.IsTransient);
        Assert.Equal("Maintenance.Status", error.Operation);
        Assert.Contains(Url, error.Message, StringComparison.Ordinal);
        Assert.Contains("no answer within 3600 s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CallerCancellation_BeforeTheDeadline_IsACancellation_NotADeadlineError()
    {
        var (client, member, _) = Start(TimeSpan.FromHours(1));
        await using var __ = client;
        using var cancel = new CancellationTokenSource();
        var call = client.GetStatusAsync(EtcdEndpoint.Parse(Url), cancel.Token);
        await member.CallArrived.Task.WaitAsync(TimeSpan.FromSeconds(30));

        await cancel.CancelAsync();

        var error = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call.WaitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(cancel.Token, error.CancellationToken);
    }
}
