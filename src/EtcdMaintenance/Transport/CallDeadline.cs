namespace EtcdMaintenance.Transport;

/// <summary>
/// A call's deadline on the injected <see cref="TimeProvider"/>, linked with the caller's token. On the system clock the
/// deadlines come from a <see cref="DeadlinePool"/> and their token sources are reset and reused (no allocation per
/// call); on any other clock (tests) each call gets its own source, created on that clock.
/// </summary>
internal sealed class CallDeadline : IDisposable
{
    private readonly DeadlinePool? _pool;
    private readonly CancellationTokenSource _source;
    private CancellationTokenRegistration _callerRegistration;
    private int _inUse;

    /// <summary>A one-off deadline on any clock, started now.</summary>
    public CallDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken callerToken)
    {
        _source = timeout == System.Threading.Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, timeProvider);
        Link(timeout, callerToken);
    }

    /// <summary>A reusable deadline on the system clock; armed by <see cref="DeadlinePool.Start"/>.</summary>
    internal CallDeadline(DeadlinePool pool)
    {
        _pool = pool;
        _source = new CancellationTokenSource();
    }

    public TimeSpan Timeout { get; private set; }

    public CancellationToken CallerToken { get; private set; }

    /// <summary>Cancelled when the deadline passes or the caller cancels.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the deadline, not the caller, ended the call.</summary>
    public bool HasExpired => _source.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    /// <summary>Arms a pooled deadline for one call.</summary>
    internal void Arm(TimeSpan timeout, CancellationToken callerToken)
    {
        if (timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            _source.CancelAfter(timeout);
        }

        Link(timeout, callerToken);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _inUse, 0) == 0)
        {
            return;
        }

        // Dispose waits for a caller-cancellation callback that is running, so after it the source is either cancelled
        // (and cannot be reset) or will never be cancelled by this call again.
        _callerRegistration.Dispose();
        _callerRegistration = default;
        CallerToken = default;

        // TryReset stops the timer, fails if it ever fired, and drops any registration left on the token.
        if (_pool is null || !_source.TryReset() || !_pool.Return(this))
        {
            _source.Dispose();
        }
    }

    private void Link(TimeSpan timeout, CancellationToken callerToken)
    {
        _inUse = 1;
        Timeout = timeout;
        CallerToken = callerToken;
        if (callerToken.CanBeCanceled)
        {
            _callerRegistration = callerToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
        }
    }
}

/// <summary>
/// Reusable <see cref="CallDeadline"/>s for the system clock: a fixed set of slots, so that concurrent calls take
/// different deadlines and an idle client holds at most <see cref="Capacity"/> of them.
/// </summary>
internal sealed class DeadlinePool
{
    public const int Capacity = 16;

    private readonly CallDeadline?[] _slots = new CallDeadline?[Capacity];

    /// <summary>A deadline armed for one call, from the pool when one is free.</summary>
    public CallDeadline Start(TimeSpan timeout, CancellationToken callerToken)
    {
        CallDeadline? deadline = null;
        for (var i = 0; i < _slots.Length && deadline is null; i++)
        {
            if (Volatile.Read(ref _slots[i]) is not null)
            {
                deadline = Interlocked.Exchange(ref _slots[i], null);
            }
        }

        deadline ??= new CallDeadline(this);
        deadline.Arm(timeout, callerToken);
        return deadline;
    }

    /// <summary>Puts a reset deadline back; <see langword="false"/> when every slot is taken (the caller disposes it).</summary>
    internal bool Return(CallDeadline deadline)
    {
        for (var i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is null && Interlocked.CompareExchange(ref _slots[i], deadline, null) is null)
            {
                return true;
            }
        }

        return false;
    }
}
