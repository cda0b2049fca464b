namespace EtcdMaintenance.Transport;

/// <summary>A call's deadline on the injected <see cref="TimeProvider"/>, linked with the caller's token.</summary>
internal sealed class CallDeadline : IDisposable
{
    private readonly CancellationTokenSource _source;
    private readonly CancellationTokenRegistration _callerRegistration;

    public CallDeadline(TimeSpan timeout, TimeProvider timeProvider, CancellationToken callerToken)
    {
        Timeout = timeout;
        _source = timeout == System.Threading.Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, timeProvider);
        if (callerToken.CanBeCanceled)
        {
            _callerRegistration = callerToken.UnsafeRegister(static state => ((CancellationTokenSource)state!).Cancel(), _source);
        }

        CallerToken = callerToken;
    }

    public TimeSpan Timeout { get; }

    public CancellationToken CallerToken { get; }

    /// <summary>Cancelled when the deadline passes or the caller cancels.</summary>
    public CancellationToken Token => _source.Token;

    /// <summary>Whether the deadline, not the caller, ended the call.</summary>
    public bool HasExpired => _source.IsCancellationRequested && !CallerToken.IsCancellationRequested;

    public void Dispose()
    {
        _callerRegistration.Dispose();
        _source.Dispose();
    }
}
