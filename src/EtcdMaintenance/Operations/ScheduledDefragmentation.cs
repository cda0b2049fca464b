using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Operations;

/// <summary>Settings of the scheduled defragmentation.</summary>
public sealed class ScheduledDefragmentationOptions
{
    /// <summary>When a member is worth defragmenting.</summary>
    /// <value><see cref="DefragCondition.OpenShift"/>: at least 45% fragmented and at least 100 MB, as OpenShift's etcd operator does.</value>
    public DefragCondition DefragmentWhen { get; set; } = DefragCondition.OpenShift;

    /// <summary>Whether to compact first (most clusters compact themselves with <c>--auto-compaction-*</c>; kubeadm's API server compacts every 5 minutes).</summary>
    /// <value><see cref="CompactionTarget.None"/>.</value>
    public CompactionTarget Compaction { get; set; } = CompactionTarget.None;

    /// <summary>How often <see cref="ScheduledDefragmentation.RunAsync"/> checks.</summary>
    /// <value>10 minutes.</value>
    public TimeSpan Interval { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the leader and raft term must stay the same between two looks for the cluster to count as calm (no election under way).</summary>
    /// <value>2 seconds.</value>
    public TimeSpan StabilityWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The members' quota when etcd does not report it (for rules on quota usage).</summary>
    /// <value><see langword="null"/>.</value>
    public long? QuotaBackendBytes { get; set; }
}

/// <summary>What one scheduled check decided.</summary>
public sealed record ScheduledDefragmentationResult
{
    /// <summary>Whether a defragmentation ran.</summary>
    public required bool Ran { get; init; }

    /// <summary>Why it ran or did not (a member down, an election under way, nothing worth it...).</summary>
    public required string Reason { get; init; }

    /// <summary>The run's report, when it ran.</summary>
    public SpaceRecoveryReport? Report { get; init; }
}

/// <summary>
/// Defragmentation on a schedule, for a hosted service: at each check, defragments (one member at a time, leader last)
/// only when the policy finds a member worth it, and never while a member is down or a leader election is under way.
/// </summary>
public sealed class ScheduledDefragmentation
{
    private readonly IEtcdMaintenanceClient _client;
    private readonly ScheduledDefragmentationOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates the schedule for the cluster <paramref name="client"/> talks to.</summary>
    public ScheduledDefragmentation(IEtcdMaintenanceClient client, ScheduledDefragmentationOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new ScheduledDefragmentationOptions();
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_options.Interval, TimeSpan.Zero, nameof(options));
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Checks once and defragments if the policy says so and the cluster is calm.</summary>
    public async Task<ScheduledDefragmentationResult> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var first = await ClusterView.LoadAsync(_client, nameof(ScheduledDefragmentation), cancellationToken).ConfigureAwait(false);
        if (first.Members.FirstOrDefault(m => !m.IsReachable) is { } down)
        {
            return Skip($"{down.DisplayName} does not answer ({down.Error?.Message})");
        }

        if (first.Leader is null)
        {
            return Skip("no leader: an election is under way");
        }

        await Task.Delay(_options.StabilityWindow, _timeProvider, cancellationToken).ConfigureAwait(false);
        var second = await ClusterView.LoadAsync(_client, nameof(ScheduledDefragmentation), cancellationToken).ConfigureAwait(false);
        if (second.Leader?.Member.Id != first.Leader.Member.Id || second.Leader.Status!.RaftTerm != first.Leader.Status!.RaftTerm
            || second.Members.Any(m => !m.IsReachable || m.Status!.Leader != second.Leader.Member.Id))
        {
            return Skip("the leader or raft term changed, or members disagree on the leader: an election is under way");
        }

        var recovery = new SpaceRecovery(_client, new SpaceRecoveryOptions
        {
            DefragmentWhen = _options.DefragmentWhen,
            Compaction = _options.Compaction,
            QuotaBackendBytes = _options.QuotaBackendBytes,
            DisarmNoSpace = false,
            VerifyWithProbeWrite = false,
        }, _logger, _timeProvider);
        var plan = await recovery.PlanAsync(cancellationToken).ConfigureAwait(false);
        if (plan.Members.All(m => m.Action != MemberPlanAction.Defragment))
        {
            return Skip("no member is worth defragmenting: " + string.Join("; ", plan.Members.Select(m => $"{m.Name}: {m.Reason}")));
        }

        var report = await recovery.ExecuteAsync(plan, null, cancellationToken).ConfigureAwait(false);
        var result = new ScheduledDefragmentationResult
        {
            Ran = true,
            Reason = $"defragmented {report.Members.Count(m => m.Defragmented)} member(s)",
            Report = report,
        };
        OperationsLog.ScheduledDefragmentation(_logger, result.Ran, result.Reason);
        return result;
    }

    /// <summary>Checks every <see cref="ScheduledDefragmentationOptions.Interval"/> until cancelled, reporting each decision.</summary>
    /// <exception cref="OperationCanceledException">When cancelled.</exception>
    public async Task RunAsync(IProgress<ScheduledDefragmentationResult>? results = null, CancellationToken cancellationToken = default)
    {
        using var timer = new PeriodicTimer(_options.Interval, _timeProvider);
        do
        {
            ScheduledDefragmentationResult result;
            try
            {
                result = await RunOnceAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException ex)
            {
                result = Skip($"check failed: {ex.Message}");
            }

            results?.Report(result);
        }
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false));
    }

    private ScheduledDefragmentationResult Skip(string reason)
    {
        OperationsLog.ScheduledDefragmentation(_logger, false, reason);
        return new ScheduledDefragmentationResult { Ran = false, Reason = reason };
    }
}
