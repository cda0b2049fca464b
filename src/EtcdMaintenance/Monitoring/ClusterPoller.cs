using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace EtcdMaintenance.Monitoring;

/// <summary>
/// Polls every configured member's status at an interval, all members concurrently, and yields one immutable
/// <see cref="ClusterSnapshot"/> per round with what <see cref="ClusterDiagnostics"/> found in it. The cheap way to watch
/// a cluster all day: a round is one <c>Maintenance.Status</c> call per member over the client's persistent HTTP/2
/// connection to that member (about 4.6 KB allocated per call); members that go down are reported in the snapshots and
/// picked up again when they come back.
/// </summary>
/// <remarks>
/// <para>
/// Rounds never overlap: <see cref="WatchAsync"/>, <see cref="RunAsync"/> and <see cref="PollOnceAsync"/> take turns, and
/// a round that outlasts the interval delays the next one (missed ticks are not made up). A round lasts at most the
/// client's <see cref="EtcdClientOptions.CommandTimeout"/>, the deadline of each status call.
/// </para>
/// <para>
/// Cancelling the token stops the loop: the status calls in flight are cancelled and awaited, no partial round is
/// reported, and the call ends with <see cref="OperationCanceledException"/>. Time (the interval, timestamps, latencies)
/// comes from the injected <see cref="TimeProvider"/>.
/// </para>
/// <para>
/// Metrics and traces: see <see cref="EtcdTelemetry"/>. Logs: event IDs 2000-2099 (members going down and up, leader
/// changes, findings raised and cleared).
/// </para>
/// </remarks>
public sealed class ClusterPoller : IAsyncDisposable
{
    private readonly IEtcdMaintenanceClient _client;
    private readonly IReadOnlyList<EtcdEndpoint> _endpoints;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly ClusterDiagnostics _diagnostics;
    private readonly PollerMetrics _metrics;
    private readonly SemaphoreSlim _turn = new(1, 1);
    private readonly TimeSpan _historyWindow;
    private readonly TimeSpan _historySpacing;

    // Guarded by _turn.
    private readonly List<ClusterSnapshot> _history = [];
    private readonly Dictionary<EtcdEndpoint, MemberId> _knownIds = [];
    private readonly Dictionary<EtcdEndpoint, DateTimeOffset> _down = [];
    private HashSet<(FindingKind, string?)> _raised = [];
    private long _round;
    private long _leaderChanges;
    private MemberId _lastLeader;
    private ulong _lastLeaderTerm;

    private ClusterSnapshot? _latest;
    private int _disposed;

    /// <summary>Creates a poller of the client's configured endpoints (list every member there).</summary>
    /// <param name="client">The client to poll through; the poller does not dispose it.</param>
    /// <param name="options">Interval, history and thresholds; the documented defaults when <see langword="null"/>. Validated here.</param>
    /// <param name="logger">Where to log; nothing is logged when <see langword="null"/>.</param>
    /// <param name="timeProvider">The clock for the interval and timestamps; <see cref="TimeProvider.System"/> when <see langword="null"/>.</param>
    /// <param name="meterFactory">Creates the poller's <see cref="Meter"/> (DI's factory); a meter of its own when <see langword="null"/>.</param>
    /// <exception cref="OptionsValidationException">The options are invalid; the failures say why.</exception>
    public ClusterPoller(IEtcdMaintenanceClient client, ClusterPollerOptions? options = null, ILogger<ClusterPoller>? logger = null,
        TimeProvider? timeProvider = null, IMeterFactory? meterFactory = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        options ??= new ClusterPollerOptions();
        var validation = new ClusterPollerOptionsValidator().Validate(Microsoft.Extensions.Options.Options.DefaultName, options);
        if (validation.Failed)
        {
            throw new OptionsValidationException(Microsoft.Extensions.Options.Options.DefaultName, typeof(ClusterPollerOptions), validation.Failures);
        }

        _client = client;
        _endpoints = client.Endpoints;
        if (_endpoints.Count == 0)
        {
            throw new ArgumentException("The client has no endpoints to poll.", nameof(client));
        }

        Options = options;
        _logger = logger ?? (ILogger)NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _diagnostics = new ClusterDiagnostics(options.Diagnostics);
        _historyWindow = options.Diagnostics.HistoryWindow;
        // 10% slack so that rounds at exactly the spacing, give or take timer jitter, are all kept.
        _historySpacing = _historyWindow / options.MaxHistory * 0.9;
        _metrics = new PollerMetrics(meterFactory);
    }

    /// <summary>The options in use (do not change them after construction).</summary>
    public ClusterPollerOptions Options { get; }

    /// <summary>The latest round's snapshot; <see langword="null"/> before the first round.</summary>
    public ClusterSnapshot? Latest => Volatile.Read(ref _latest);

    /// <summary>Polls every member once, now (waiting for a round in progress to finish first).</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled; no snapshot is recorded.</exception>
    /// <exception cref="ObjectDisposedException">The poller was disposed.</exception>
    public async Task<ClusterSnapshot> PollOnceAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        await _turn.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
            return await PollRoundAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _turn.Release();
        }
    }

    /// <summary>
    /// Polls now and then at every <see cref="ClusterPollerOptions.Interval"/>, yielding each round's snapshot, until the
    /// token is cancelled. The next round starts only when the consumer asks for the next snapshot and the interval has
    /// passed, so a slow consumer slows the polling instead of piling up snapshots.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled (the normal way to stop).</exception>
    public async IAsyncEnumerable<ClusterSnapshot> WatchAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var timer = new PeriodicTimer(Options.Interval, _timeProvider);
        MonitoringLog.PollerStarted(_logger, _endpoints.Count, Options.Interval);
        var rounds = 0L;
        try
        {
            while (true)
            {
                var snapshot = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                rounds++;
                yield return snapshot;
                if (!await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
                {
                    yield break;
                }
            }
        }
        finally
        {
            MonitoringLog.PollerStopped(_logger, rounds);
        }
    }

    /// <summary>
    /// The callback form of <see cref="WatchAsync"/>: calls <paramref name="onSnapshot"/> with each round's snapshot until
    /// the token is cancelled. The next round waits for the callback to return; an exception from it stops the polling
    /// and is thrown from here.
    /// </summary>
    /// <exception cref="OperationCanceledException">The token was cancelled (the normal way to stop).</exception>
    public async Task RunAsync(Func<ClusterSnapshot, CancellationToken, ValueTask> onSnapshot, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(onSnapshot);
        await foreach (var snapshot in WatchAsync(cancellationToken).ConfigureAwait(false))
        {
            await onSnapshot(snapshot, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Stops the metrics (when the poller owns its meter); the client is not disposed. Later calls throw <see cref="ObjectDisposedException"/>.</summary>
    public ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            _metrics.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>The retained history, oldest first (for tests).</summary>
    internal IReadOnlyList<ClusterSnapshot> History => [.. _history];

    private async Task<ClusterSnapshot> PollRoundAsync(CancellationToken cancellationToken)
    {
        using var activity = LibraryTelemetry.ActivitySource.StartActivity("etcd.maintenance.poll", ActivityKind.Internal);
        var timestamp = _timeProvider.GetUtcNow();
        var started = _timeProvider.GetTimestamp();
        var calls = new Task<MemberSnapshot>[_endpoints.Count];
        for (var i = 0; i < calls.Length; i++)
        {
            calls[i] = PollMemberAsync(_endpoints[i], timestamp, cancellationToken);
        }

        try
        {
            await Task.WhenAll(calls).ConfigureAwait(false);
        }
        catch (Exception) when (cancellationToken.IsCancellationRequested)
        {
            // Every call has finished (WhenAll waits for all); the round is dropped.
            throw new OperationCanceledException(cancellationToken);
        }

        var members = new MemberSnapshot[calls.Length];
        for (var i = 0; i < calls.Length; i++)
        {
            members[i] = await calls[i].ConfigureAwait(false);
        }

        var round = ++_round;
        var newChanges = TrackLeader(members);
        var snapshot = new ClusterSnapshot
        {
            Round = round,
            Timestamp = timestamp,
            Members = members,
            Duration = _timeProvider.GetElapsedTime(started),
            Alarms = AlarmText.FromErrors(members),
            LeaderChanges = _leaderChanges,
        };

        var (window, retained) = Retain(snapshot);
        snapshot = snapshot with { Findings = _diagnostics.Analyze(window) };
        if (retained)
        {
            _history[^1] = snapshot;
        }

        TrackMembers(members);
        TrackFindings(snapshot.Findings);
        _metrics.RecordRound(snapshot, newChanges);
        Volatile.Write(ref _latest, snapshot);
        MonitoringLog.RoundCompleted(_logger, round, snapshot.UpCount, members.Length, snapshot.Duration, snapshot.Findings.Count);
        if (activity is not null)
        {
            activity.SetTag("etcd.poll.round", round);
            activity.SetTag("etcd.poll.members_up", snapshot.UpCount);
            activity.SetTag("etcd.poll.findings", snapshot.Findings.Count);
        }

        return snapshot;
    }

    private async Task<MemberSnapshot> PollMemberAsync(EtcdEndpoint endpoint, DateTimeOffset roundStarted, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        MemberSnapshot member;
        try
        {
            var status = await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
            member = new MemberSnapshot { Endpoint = endpoint, Status = status, Latency = _timeProvider.GetElapsedTime(started) };
        }
        catch (EtcdException ex)
        {
            member = new MemberSnapshot
            {
                Endpoint = endpoint,
                Error = ex,
                Latency = _timeProvider.GetElapsedTime(started),
                MemberId = _knownIds.GetValueOrDefault(endpoint),
                DownSince = _down.TryGetValue(endpoint, out var since) ? since : roundStarted,
            };
        }

        _metrics.RecordCall(member);
        return member;
    }

    /// <summary>
    /// Adds the snapshot to the history when it is due (at most <see cref="ClusterPollerOptions.MaxHistory"/> over the
    /// window), drops what fell out of the window, and returns the window to judge: the history plus this snapshot.
    /// </summary>
    private (IReadOnlyList<ClusterSnapshot> Window, bool Retained) Retain(ClusterSnapshot snapshot)
    {
        var cutoff = snapshot.Timestamp - _historyWindow;
        var drop = 0;
        while (drop < _history.Count && _history[drop].Timestamp < cutoff)
        {
            drop++;
        }

        _history.RemoveRange(0, drop);
        var due = _history.Count == 0 || snapshot.Timestamp - _history[^1].Timestamp >= _historySpacing;
        if (due)
        {
            if (_history.Count >= Options.MaxHistory)
            {
                _history.RemoveAt(0);
            }

            _history.Add(snapshot);
            return (new Window(_history, null), true);
        }

        return (new Window(_history, snapshot), false);
    }

    /// <summary>Counts a leader change when the leader differs from the last one seen, or was re-elected in a higher term.</summary>
    private long TrackLeader(MemberSnapshot[] members)
    {
        var probe = new ClusterSnapshot { Round = 0, Timestamp = default, Members = members };
        var leader = probe.Leader;
        if (leader.IsNone)
        {
            return 0;
        }

        var term = probe.LeaderStatus?.RaftTerm ?? members.Max(m => m.Status?.RaftTerm ?? 0);
        var changed = !_lastLeader.IsNone && (leader != _lastLeader || term > _lastLeaderTerm);
        if (changed)
        {
            _leaderChanges++;
            MonitoringLog.LeaderChanged(_logger, _lastLeader, leader, term);
        }

        _lastLeader = leader;
        _lastLeaderTerm = term;
        return changed ? 1 : 0;
    }

    /// <summary>The history as the diagnostics see it, plus the current round when it is not kept: no copy per round.</summary>
    private sealed class Window(List<ClusterSnapshot> history, ClusterSnapshot? current) : IReadOnlyList<ClusterSnapshot>
    {
        public int Count => history.Count + (current is null ? 0 : 1);

        public ClusterSnapshot this[int index] => index == history.Count && current is not null ? current : history[index];

        public IEnumerator<ClusterSnapshot> GetEnumerator()
        {
            foreach (var snapshot in history)
            {
                yield return snapshot;
            }

            if (current is not null)
            {
                yield return current;
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private void TrackMembers(MemberSnapshot[] members)
    {
        foreach (var member in members)
        {
            if (member.Status is { } status)
            {
                _knownIds[member.Endpoint] = status.MemberId;
                if (_down.Remove(member.Endpoint))
                {
                    MonitoringLog.MemberUp(_logger, member.Endpoint.Text, status.MemberId);
                }
            }
            else if (_down.TryAdd(member.Endpoint, member.DownSince!.Value))
            {
                MonitoringLog.MemberDown(_logger, member.Endpoint.Text, member.MemberId, member.Error!.ErrorCode, member.Error.Message);
            }
        }
    }

    private void TrackFindings(IReadOnlyList<DiagnosticFinding> findings)
    {
        var now = new HashSet<(FindingKind, string?)>();
        foreach (var finding in findings)
        {
            var key = (finding.Kind, finding.Endpoint);
            if (!now.Add(key) || _raised.Contains(key))
            {
                continue;
            }

            var level = finding.Severity switch
            {
                FindingSeverity.Error => LogLevel.Error,
                FindingSeverity.Warning => LogLevel.Warning,
                _ => LogLevel.Information,
            };
            if (_logger.IsEnabled(level))
            {
                MonitoringLog.FindingRaised(_logger, level, finding.Kind, finding.Endpoint ?? "the cluster", finding.Summary, finding.Evidence);
            }
        }

        if (_logger.IsEnabled(LogLevel.Information))
        {
            foreach (var (kind, endpoint) in _raised)
            {
                if (!now.Contains((kind, endpoint)))
                {
                    MonitoringLog.FindingCleared(_logger, kind, endpoint ?? "the cluster");
                }
            }
        }

        _raised = now;
    }
}
