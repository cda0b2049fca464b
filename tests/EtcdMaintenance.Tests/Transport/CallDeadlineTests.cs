using EtcdMaintenance.Transport;

namespace EtcdMaintenance.Tests.Transport;

/// <summary>Pooled deadlines on the system clock: reused only when they never fired, linked to the caller's token.</summary>
public sealed class CallDeadlineTests
{
    [Fact]
    public void PooledDeadline_ThatDidNotFire_IsReusedByTheNextCall()
    {
        var pool = new DeadlinePool();
        var first = pool.Start(TimeSpan.FromSeconds(30), default);
        first.Dispose();

        using var second = pool.Start(TimeSpan.FromSeconds(30), default);

        Assert.Same(first, second);
        Assert.False(second.Token.IsCancellationRequested);
        Assert.Equal(TimeSpan.FromSeconds(30), second.Timeout);
    }

    [Fact]
    public async Task PooledDeadline_ThatFired_IsNeverReused()
    {
        var pool = new DeadlinePool();
        var first = pool.Start(TimeSpan.FromMilliseconds(1), default);
        await WaitForCancellationAsync(first.Token);
        Assert.True(first.HasExpired);
        first.Dispose();

        using var second = pool.Start(TimeSpan.FromSeconds(30), default);

        Assert.NotSame(first, second);
        Assert.False(second.Token.IsCancellationRequested);
    }

    [Fact]
    public async Task CallerCancellation_CancelsTheCall_ButIsNotAnExpiry_AndTheDeadlineIsThenDropped()
    {
        var pool = new DeadlinePool();
        using var caller = new CancellationTokenSource();
        var deadline = pool.Start(TimeSpan.FromSeconds(30), caller.Token);

        await caller.CancelAsync();

        Assert.True(deadline.Token.IsCancellationRequested);
        Assert.False(deadline.HasExpired);
        deadline.Dispose();
        using var next = pool.Start(TimeSpan.FromSeconds(30), default);
        Assert.NotSame(deadline, next);
    }

    [Fact]
    public void Dispose_Twice_ReturnsTheDeadlineOnce()
    {
        var pool = new DeadlinePool();
        var deadline = pool.Start(TimeSpan.FromSeconds(30), default);
        deadline.Dispose();
        deadline.Dispose();

        using var a = pool.Start(TimeSpan.FromSeconds(30), default);
        using var b = pool.Start(TimeSpan.FromSeconds(30), default);

        Assert.NotSame(a, b);
    }

    [Fact]
    public void AfterReuse_TheEarlierCallersTokenNoLongerCancelsIt()
    {
        var pool = new DeadlinePool();
        using var earlier = new CancellationTokenSource();
        pool.Start(TimeSpan.FromSeconds(30), earlier.Token).Dispose();
        using var reused = pool.Start(TimeSpan.FromSeconds(30), default);

        earlier.Cancel();

        Assert.False(reused.Token.IsCancellationRequested);
    }

    [Fact]
    public void EncodeTimeoutCached_GivesTheSameTextAsEncodeTimeout_AndFollowsAChange()
    {
        Assert.Equal("5000000u", GrpcFraming.EncodeTimeoutCached(TimeSpan.FromSeconds(5)));
        Assert.Same(GrpcFraming.EncodeTimeoutCached(TimeSpan.FromSeconds(5)), GrpcFraming.EncodeTimeoutCached(TimeSpan.FromSeconds(5)));
        Assert.Equal(GrpcFraming.EncodeTimeout(TimeSpan.FromMinutes(2)), GrpcFraming.EncodeTimeoutCached(TimeSpan.FromMinutes(2)));
    }

    private static async Task WaitForCancellationAsync(CancellationToken token)
    {
        var cancelled = new TaskCompletionSource();
        using var registration = token.Register(cancelled.SetResult);
        await cancelled.Task.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
    }
}
