using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The progress events of a run: every event kept, handed to the caller's <see cref="IProgress{T}"/>, and to each
/// watcher (the events so far, then the new ones until the run ends).
/// </summary>
internal sealed class ProgressFeed<T>(IProgress<T>? forward = null)
{
    private readonly List<T> _events = [];
    private readonly List<Channel<T>> _watchers = [];
    private bool _ended;

    /// <summary>The events so far.</summary>
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

    public void Publish(T item)
    {
        lock (_events)
        {
            _ended = false;
            _events.Add(item);
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(item);
            }
        }

        forward?.Report(item);
    }

    /// <summary>The run completed or stopped: current watchers end, and new ones get the events so far only (until the next event).</summary>
    public void End()
    {
        lock (_events)
        {
            _ended = true;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    public async IAsyncEnumerable<T> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<T>(new UnboundedChannelOptions { SingleReader = true });
        lock (_events)
        {
            foreach (var past in _events)
            {
                channel.Writer.TryWrite(past);
            }

            if (_ended)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_events)
            {
                _watchers.Remove(channel);
            }
        }
    }
}
