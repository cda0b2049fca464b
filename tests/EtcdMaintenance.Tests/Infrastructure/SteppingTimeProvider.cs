using Microsoft.Extensions.Time.Testing;

namespace EtcdMaintenance.Tests.Infrastructure;

/// <summary>
/// A <see cref="FakeTimeProvider"/> (from 2026-01-01 UTC) that also knows how many of its timers are armed, so that a test
/// can drive work that waits on it to its end with <see cref="RunAsync"/> without guessing when the work waits.
/// </summary>
public sealed class SteppingTimeProvider() : FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero))
{
    private int _armed;

    /// <summary>How many timers wait to fire (a Task.Delay on this clock is one).</summary>
    public int PendingTimers => Volatile.Read(ref _armed);

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        var timer = new CountedTimer(this);
        timer.Inner = base.CreateTimer(s => { timer.Fired(); callback(s); }, state, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <summary>
    /// Drives <paramref name="work"/> to its end on this clock: whenever it waits on a timer, moves time on by
    /// <paramref name="step"/>. Returns the time that passed. Fails if the work neither ends nor waits on a timer.
    /// </summary>
    public async Task<TimeSpan> RunAsync(Task work, TimeSpan step)
    {
        var start = GetUtcNow();
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
        return GetUtcNow() - start;
    }

    private sealed class CountedTimer(SteppingTimeProvider owner) : ITimer
    {
        private bool _armed;
        private bool _periodic;

        public ITimer Inner { get; set; } = null!;

        public bool Change(TimeSpan dueTime, TimeSpan period)
        {
            lock (this)
            {
                _periodic = period != Timeout.InfiniteTimeSpan && period != TimeSpan.Zero;
                SetArmed(dueTime != Timeout.InfiniteTimeSpan);
            }

            return Inner.Change(dueTime, period);
        }

        public void Fired()
        {
            lock (this)
            {
                SetArmed(_periodic);
            }
        }

        public void Dispose()
        {
            lock (this)
            {
                SetArmed(false);
            }

            Inner.Dispose();
        }

        public ValueTask DisposeAsync()
        {
            Dispose();
            return ValueTask.CompletedTask;
        }

        private void SetArmed(bool armed)
        {
            if (armed != _armed)
            {
                _armed = armed;
                Interlocked.Add(ref owner._armed, armed ? 1 : -1);
            }
        }
    }
}
