using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance;

/// <summary>
/// The quota of members that do not report it in their status (etcd 3.4 and 3.5), read from <c>GET /metrics</c> on the
/// member's client URL (<c>etcd_server_quota_backend_bytes</c>) through a handler from the client's own handler factory
/// (same TLS settings, same client certificate). Status calls stay cheap: a reading is kept per endpoint and member for
/// <see cref="ReadingLifetime"/> on the client's <see cref="TimeProvider"/> (a failed read for
/// <see cref="FailureLifetime"/>), shared by concurrent callers, and forgotten when an operation restarts the member.
/// </summary>
internal sealed class MemberQuotaCache : IDisposable
{
    /// <summary>How long a quota read from a member's metrics is used (a quota changes only when the member restarts).</summary>
    internal static readonly TimeSpan ReadingLifetime = TimeSpan.FromMinutes(5);

    /// <summary>How long a failed read is remembered before the metrics are asked again.</summary>
    internal static readonly TimeSpan FailureLifetime = TimeSpan.FromSeconds(30);

    internal const string MetricName = "etcd_server_quota_backend_bytes";

    private readonly Func<EtcdEndpoint, HttpMessageHandler>? _handlerFactory;
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _timeout;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<EtcdEndpoint, Entry> _entries = new();
    private readonly ConcurrentDictionary<EtcdEndpoint, HttpClient> _clients = new();
    private readonly CancellationTokenSource _disposed = new();
    private int _disposeCalls;

    public MemberQuotaCache(Func<EtcdEndpoint, HttpMessageHandler>? handlerFactory, TimeProvider timeProvider, TimeSpan timeout, ILogger logger)
    {
        _handlerFactory = handlerFactory;
        _timeProvider = timeProvider;
        _timeout = timeout;
        _logger = logger;
    }

    /// <summary>
    /// Gives <paramref name="status"/> the member's quota from its metrics when neither the member's status nor the options
    /// gave one (or the reason it is unknown); otherwise returns it unchanged.
    /// </summary>
    public ValueTask<EndpointStatus> ApplyAsync(EtcdEndpoint endpoint, EndpointStatus status, CancellationToken cancellationToken)
    {
        if (status.QuotaSource != EtcdQuotaSource.Unknown)
        {
            return new ValueTask<EndpointStatus>(status);
        }

        var reading = Reading(endpoint, status.MemberId);
        return reading.IsCompletedSuccessfully
            ? new ValueTask<EndpointStatus>(Apply(status, reading.Result))
            : AwaitAsync(status, reading, cancellationToken);

        static async ValueTask<EndpointStatus> AwaitAsync(EndpointStatus status, Task<QuotaReading> reading, CancellationToken cancellationToken) =>
            Apply(status, await reading.WaitAsync(cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// The reading of <paramref name="endpoint"/>'s member when one is done and still fresh; starts no read (the status
    /// decoder asks this so that the quota goes into the one status it builds).
    /// </summary>
    public bool TryGetFresh(EtcdEndpoint endpoint, MemberId memberId, [MaybeNullWhen(false)] out QuotaReading reading)
    {
        if (_entries.TryGetValue(endpoint, out var entry) && entry.MemberId == memberId && entry.Reading.IsCompletedSuccessfully &&
            !IsStale(entry, _timeProvider.GetTimestamp()))
        {
            reading = entry.Reading.Result;
            return true;
        }

        reading = null;
        return false;
    }

    /// <summary>Forgets the reading of <paramref name="endpoint"/>: its member restarted, perhaps with another quota.</summary>
    public void Forget(EtcdEndpoint endpoint) => _entries.TryRemove(endpoint, out _);

    public void Dispose()
    {
        // The client disposes it from Dispose and DisposeAsync alike.
        if (Interlocked.Exchange(ref _disposeCalls, 1) != 0)
        {
            return;
        }

        _disposed.Cancel();
        foreach (var client in _clients.Values)
        {
            client.Dispose();
        }

        _clients.Clear();
        _disposed.Dispose();
    }

    /// <summary>
    /// Reads <c>etcd_server_quota_backend_bytes</c> from Prometheus text (etcd prints it in Go's float notation,
    /// <c>1.6777216e+07</c>). Returns the bytes, or <see langword="null"/> with the reason.
    /// </summary>
    internal static long? ParseQuota(TextReader metrics, out string? reason)
    {
        while (metrics.ReadLine() is { } line)
        {
            if (!line.StartsWith(MetricName, StringComparison.Ordinal) || line.Length == MetricName.Length || line[MetricName.Length] is not (' ' or '\t'))
            {
                continue;
            }

            var value = line.AsSpan(MetricName.Length).Trim();
            var end = value.IndexOfAny(' ', '\t');   // an optional timestamp follows the value
            if (end >= 0)
            {
                value = value[..end];
            }

            if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var bytes) &&
                bytes > 0 && bytes <= long.MaxValue && Math.Floor(bytes) == bytes)
            {
                reason = null;
                return (long)bytes;
            }

            reason = $"{MetricName} is '{value}', not a positive whole number of bytes";
            return null;
        }

        reason = $"the metrics hold no {MetricName}";
        return null;
    }

    private static EndpointStatus Apply(EndpointStatus status, QuotaReading reading) => reading.Quota is { } quota
        ? status with { DbSizeQuota = quota, QuotaSource = EtcdQuotaSource.Metrics, QuotaUnavailableReason = null }
        : status with { QuotaUnavailableReason = reading.Reason };

    private Task<QuotaReading> Reading(EtcdEndpoint endpoint, MemberId memberId)
    {
        var now = _timeProvider.GetTimestamp();
        if (_entries.TryGetValue(endpoint, out var entry) && entry.MemberId == memberId && !IsStale(entry, now))
        {
            return entry.Reading;
        }

        var fresh = new Entry(memberId, now, ReadAsync(endpoint));
        _entries[endpoint] = fresh;
        return fresh.Reading;
    }

    private bool IsStale(Entry entry, long now)
    {
        if (!entry.Reading.IsCompleted)
        {
            return false;
        }

        var lifetime = entry.Reading.IsCompletedSuccessfully && entry.Reading.Result.Quota is not null ? ReadingLifetime : FailureLifetime;
        return _timeProvider.GetElapsedTime(entry.Started, now) >= lifetime;
    }

    private async Task<QuotaReading> ReadAsync(EtcdEndpoint endpoint)
    {
        await Task.Yield();   // never read on the status caller's stack
        var url = new Uri(endpoint.Address, "/metrics");
        if (_handlerFactory is null || _disposed.IsCancellationRequested)
        {
            return Failed(endpoint, $"GET {url} is not possible: the client has no HTTP handler for it");
        }

        try
        {
            using var timeout = new CancellationTokenSource(_timeout, _timeProvider);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(timeout.Token, _disposed.Token);
            var client = _clients.GetOrAdd(endpoint, static (e, factory) =>
                new HttpClient(factory(e), disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan }, _handlerFactory);
            using var request = new HttpRequestMessage(HttpMethod.Get, url) { Version = HttpVersion.Version11 };
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return Failed(endpoint, $"GET {url} answered {(int)response.StatusCode} {response.ReasonPhrase}");
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(linked.Token).ConfigureAwait(false));
            var quota = ParseQuota(reader, out var reason);
            if (quota is null)
            {
                return Failed(endpoint, $"GET {url}: {reason}");
            }

            Log.QuotaRead(_logger, endpoint.Text, quota.Value);
            return new QuotaReading(quota, null);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            var why = ex is OperationCanceledException ? $"no answer within {_timeout.TotalSeconds:0.#} s" : ex.Message;
            return Failed(endpoint, $"GET {url} failed: {why}");
        }
    }

    private QuotaReading Failed(EtcdEndpoint endpoint, string reason)
    {
        Log.QuotaUnavailable(_logger, endpoint.Text, reason);
        return new QuotaReading(null, reason);
    }

    /// <summary>A member's quota read from its metrics, or why it could not be read.</summary>
    internal sealed record QuotaReading(long? Quota, string? Reason);

    private sealed record Entry(MemberId MemberId, long Started, Task<QuotaReading> Reading);
}

/// <summary>Lets operations tell the client that a member restarted, so that its quota is read again.</summary>
internal static class MemberQuotaCacheExtensions
{
    public static void ForgetMemberQuota(this IEtcdMaintenanceClient client, EtcdEndpoint endpoint)
    {
        if (client is EtcdMaintenanceClient etcd)
        {
            etcd.Quotas.Forget(endpoint);
        }
    }
}
