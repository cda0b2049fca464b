namespace EtcdMaintenance.Tests.Infrastructure;

/// <summary>An <see cref="IProgress{T}"/> that records every event and runs a hook on the reporting thread (Progress&lt;T&gt; posts asynchronously).</summary>
public sealed class SyncProgress<T>(Action<T>? hook = null) : IProgress<T>
{
    private readonly List<T> _events = [];

    public IReadOnlyList<T> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public void Report(T value)
    {
        lock (_events)
        {
            _events.Add(value);
        }

        hook?.Invoke(value);
    }
}
