namespace EtcdMaintenance.Tests.Infrastructure;

/// <summary>A clock that moves only when the test says so; timers fire synchronously from <see cref="Advance"/>.</summary>
public sealed class ManualTimeProvider : TimeProvider
{
    private readonly List<ManualTimer> _timers = [];
    private long _ticks = TimeSpan.FromDays(1).Ticks;
    private DateTimeOffset _utcNow = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public override DateTimeOffset GetUtcNow() => _utcNow;

    public override long GetTimestamp() => _ticks;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new ManualTimer(this, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>How many timers wait to fire (a Task.Delay on this clock is one).</summary>
    public int PendingTimers
    {
        get
        {
            lock (_timers)
            {
                return _timers.Count(t => t.DueAt is not null);
            }
        }
    }

    /// <summary>
    /// Drives <paramref name="work"/> to its end on this clock: whenever it waits on a timer, moves time on by
    /// <paramref name="step"/>. Returns the time that passed. Fails if the work neither ends nor waits on a timer.
    /// </summary>
    public async Task<TimeSpan> RunAsync(Task work, TimeSpan step)
    {
        var start = _ticks;
        while (!work.IsCompleted)
        {
            if (!SpinWait.SpinUntil(() => work.IsCompleted || PendingTimers > 0, TimeSpan.FromSeconds(10)))
            {
                throw new TimeoutException("The work neither finished nor waited on the clock within 10 s of real time.");
            }

            if (!work.IsCompleted)
            {
                Advance(step);
            }
        }

        await work;
        return TimeSpan.FromTicks(_ticks - start);
    }

    public void Advance(TimeSpan by)
    {
        _ticks += by.Ticks;
        _utcNow += by;
        List<ManualTimer> due;
        lock (_timers)
        {
            due = [.. _timers.Where(t => t.DueAt is { } at && at <= _ticks)];
        }

        foreach (var timer in due)
        {
            timer.Fire();
        }
    }

    private sealed class ManualTimer(ManualTimeProvider owner, TimerCallback callback, object? state) : ITimer
    {
        private long _period;

        public long? DueAt { get; private set; }

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (owner._timers)
            {
                DueAt = dueTime == Timeout.InfiniteTimeSpan ? null : owner._ticks + dueTime.Ticks;
                _period = period == Timeout.InfiniteTimeSpan ? 0 : period.Ticks;
                if (!owner._timers.Contains(this))
                {
                    owner._timers.Add(this);
                }
            }

            return true;
        }

        public void Fire()
        {
            lock (owner._timers)
            {
                DueAt = _period > 0 ? owner._ticks + _period : null;
            }

            callback(state);
        }

        public void Dispose()
        {
            lock (owner._timers)
            {
                owner._timers.Remove(this);
            }
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
