using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The NOSPACE runbook as one safe operation: check every voting member, compact (physically), defragment members one
/// at a time (followers first, the leader last, leadership moved away first on 3+ members), disarm NOSPACE only once
/// every member is back under the threshold, and verify with a probe write. <see cref="PlanAsync"/> is the dry run.
/// Running it again after an interruption continues: compaction already done is recognised, and members are
/// defragmented again only when the policy still finds it worth it.
/// </summary>
public sealed class SpaceRecovery
{
    private const string OperationName = "SpaceRecovery";

    /// <summary>A learner at or over this share of its quota gets advice in the plan (80%, etcd-defrag's and the rejoined-member threshold).</summary>
    private const double LearnerAdviceQuotaRatio = 0.8;

    private readonly IEtcdMaintenanceClient _client;
    private readonly SpaceRecoveryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a space recovery for the cluster <paramref name="client"/> talks to.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public SpaceRecovery(IEtcdMaintenanceClient client, SpaceRecoveryOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new SpaceRecoveryOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// The dry run: checks the cluster and returns which members would be defragmented, in which order and why, with the
    /// etcdctl commands that would do the same by hand. Changes nothing.
    /// </summary>
    /// <exception cref="EtcdSafetyCheckException">A CORRUPT alarm is active, a voting member does not answer (and skipping was not allowed), or no leader is known.</exception>
    public async Task<SpaceRecoveryPlan> PlanAsync(CancellationToken cancellationToken = default) =>
        BuildPlan(await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false));

    /// <summary>Plans (as <see cref="PlanAsync"/>) and runs that plan. Cancellation stops it at the next safe point (never inside a defragment).</summary>
    /// <returns>The report; <see cref="SpaceRecoveryReport.Succeeded"/> is <see langword="false"/> when a step failed (the report says which and how to continue).</returns>
    /// <exception cref="EtcdSafetyCheckException">The checks refused to start; nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled at a safe point.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ by a required first parameter (the plan), so no call can be ambiguous.")]
    public Task<SpaceRecoveryReport> ExecuteAsync(IProgress<SpaceRecoveryProgress>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(null, progress, cancellationToken);

    /// <summary>
    /// Runs the plan the caller saw (from <see cref="PlanAsync"/>): its compaction revision, its members in its order, its
    /// leadership move. The safety checks run again first, and the run is refused, before any change, when the cluster
    /// changed since the plan (other members, another leader, a member now unreachable or a learner): plan again then.
    /// Whether each member is still worth defragmenting is judged again after the compaction, as in the plan's reasons.
    /// </summary>
    /// <param name="plan">The plan <see cref="PlanAsync"/> returned.</param>
    /// <param name="progress">Receives every stage.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point (never inside a defragment).</param>
    /// <returns>The report; <see cref="SpaceRecoveryReport.Succeeded"/> is <see langword="false"/> when a step failed (the report says which and how to continue).</returns>
    /// <exception cref="EtcdSafetyCheckException">The checks refused to start, or the cluster changed since the plan; nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled at a safe point.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ by a required first parameter (the plan), so no call can be ambiguous.")]
    public Task<SpaceRecoveryReport> ExecuteAsync(SpaceRecoveryPlan plan, IProgress<SpaceRecoveryProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        return RunAsync(plan, progress, cancellationToken);
    }

    private async Task<SpaceRecoveryReport> RunAsync(SpaceRecoveryPlan? seen, IProgress<SpaceRecoveryProgress>? progress, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        void Report(SpaceRecoveryStage stage, string? member, string message)
        {
            OperationsLog.SpaceRecoveryProgress(_logger, stage, member ?? "-", message);
            progress?.Report(new SpaceRecoveryProgress(stage, member, message, _timeProvider.GetElapsedTime(started)));
        }

        Report(SpaceRecoveryStage.Checking, null, "checking members, health and alarms");
        var view = await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false);
        var current = BuildPlan(view);
        if (seen is not null && Drift(seen, current) is { } drift)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: the cluster changed since the plan ({drift}). Nothing was changed: plan again and check the new plan.",
                null, OperationName);
        }

        var plan = seen ?? current;
        await EnsureVotersServeReadsAsync(view, cancellationToken).ConfigureAwait(false);

        var compacted = await CompactAsync(plan, Report, cancellationToken).ConfigureAwait(false);
        var members = new List<MemberSpaceReport>();
        MemberId? movedTo = null;
        foreach (var member in plan.Members)
        {
            if (member.Action != MemberPlanAction.Defragment)
            {
                Report(SpaceRecoveryStage.DefragmentSkipped, member.Name, $"{member.Name}: skipped ({member.Reason})");
                members.Add(new MemberSpaceReport(member.Name, member.Id, false, member.Reason, member.DbSize, null, null, TimeSpan.Zero));
                continue;
            }

            // Safe point: between members, never inside a defragment.
            cancellationToken.ThrowIfCancellationRequested();
            var endpoint = view.Find(member.Id)!.Endpoint!;
            try
            {
                // Judge the member on its state after the compaction, once it has applied it.
                var target = await MemberReadiness.LeaderIndexAsync(_client, endpoint, cancellationToken).ConfigureAwait(false);
                var before = WithQuota(await MemberReadiness.WaitUntilBackAsync(_client, endpoint, target, OperationName, _options.MemberRecoveryTimeout, _options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false));
                var decision = _options.DefragmentWhen.Evaluate(before);
                if (!decision.Defragment)
                {
                    Report(SpaceRecoveryStage.DefragmentSkipped, member.Name, $"{member.Name}: not worth it after compaction ({decision.Reason})");
                    members.Add(new MemberSpaceReport(member.Name, member.Id, false, decision.Reason, before.DbSize, null, null, TimeSpan.Zero));
                    continue;
                }

                if (member.IsLeader && plan.MoveLeaderTo is { } successor)
                {
                    Report(SpaceRecoveryStage.MovingLeader, member.Name, $"moving leadership from {member.Name} to {view.Find(successor)?.DisplayName ?? successor.ToString()} before defragmenting it");
                    await MoveLeaderAsync(view, successor, cancellationToken).ConfigureAwait(false);
                    movedTo = successor;
                    Report(SpaceRecoveryStage.LeaderMoved, member.Name, $"leadership moved to {view.Find(successor)?.DisplayName ?? successor.ToString()}");
                }

                Report(SpaceRecoveryStage.DefragmentStarted, member.Name, $"defragmenting {member.Name} ({Size(before.DbSize)})");
                var result = await _client.DefragmentAsync(endpoint, cancellationToken).ConfigureAwait(false);
                var after = await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
                Report(SpaceRecoveryStage.DefragmentCompleted, member.Name,
                    $"defragmented {member.Name}: {Size(before.DbSize)} -> {Size(after.DbSize)} in {result.Elapsed.TotalSeconds:0.0} s");

                // Back and caught up before the next member (or the disarm): a failure here is this member's, not the next one's.
                await WaitUntilBackAsync(endpoint, Report, cancellationToken).ConfigureAwait(false);
                members.Add(new MemberSpaceReport(member.Name, member.Id, true, null, before.DbSize, after.DbSize, after.DbSizeInUse, result.Elapsed));
            }
            catch (EtcdException ex)
            {
                Report(SpaceRecoveryStage.DefragmentFailed, member.Name, ex.Message);
                members.Add(new MemberSpaceReport(member.Name, member.Id, false, ex.Message, member.DbSize, null, null, TimeSpan.Zero));
                return new SpaceRecoveryReport
                {
                    Succeeded = false,
                    Error = ex,
                    FailureReason = $"stopped at {member.Name}: {ex.Message} No alarm was disarmed. Once {member.Name} is healthy again, run the recovery again to continue.",
                    CompactedRevision = compacted,
                    Members = members,
                    LeaderMovedTo = movedTo,
                    AlarmsRemaining = await TryGetAlarmsAsync(cancellationToken).ConfigureAwait(false),
                    Elapsed = _timeProvider.GetElapsedTime(started),
                };
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var (disarmed, note) = await DisarmNoSpaceAsync(Report, cancellationToken).ConfigureAwait(false);

        Report(SpaceRecoveryStage.Verifying, null, "checking alarms and a probe write");
        var remaining = await _client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        bool? probe = null;
        string? probeError = null;
        if (_options.VerifyWithProbeWrite)
        {
            try
            {
                await _client.ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
                probe = true;
            }
            catch (EtcdException ex)
            {
                probe = false;
                probeError = ex.Message;
            }
        }

        var noSpaceLeft = remaining.Any(a => a.Type == EtcdAlarmType.NoSpace);
        var succeeded = !noSpaceLeft && probe != false;
        var report = new SpaceRecoveryReport
        {
            Succeeded = succeeded,
            FailureReason = succeeded ? null : noSpaceLeft ? note ?? "NOSPACE is still active." : $"the probe write failed: {probeError}",
            CompactedRevision = compacted,
            Members = members,
            LeaderMovedTo = movedTo,
            AlarmsDisarmed = disarmed,
            AlarmsRemaining = remaining,
            AlarmNote = note,
            ProbeWriteSucceeded = probe,
            Elapsed = _timeProvider.GetElapsedTime(started),
        };
        Report(SpaceRecoveryStage.Completed, null, succeeded
            ? $"recovered {Size(report.Reclaimed)} in {report.Elapsed.TotalSeconds:0.0} s; writes work"
            : $"finished without recovering: {report.FailureReason}");
        return report;
    }

    private SpaceRecoveryPlan BuildPlan(ClusterView view)
    {
        if (view.Alarms.FirstOrDefault(a => a.Type == EtcdAlarmType.Corrupt) is { } corrupt)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: a CORRUPT alarm is active on member {corrupt.MemberId}. Its data diverged; defragmenting or disarming would hide that. Check consistency (HashKV) and replace the bad member first.",
                null, OperationName);
        }

        var unreachable = view.Voters.Where(m => !m.IsReachable).ToList();
        if (unreachable.Count > 0 && !_options.SkipUnreachableMembers)
        {
            var names = string.Join(", ", unreachable.Select(m => $"{m.DisplayName} ({m.Error?.Message})"));
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: voting member(s) do not answer: {names}. Bring them back, or allow skipping unreachable members (no NOSPACE alarm is then disarmed, since their size cannot be checked).",
                unreachable[0].Endpoint?.Text, OperationName);
        }

        var leader = view.Leader ?? throw new EtcdSafetyCheckException(
            $"{OperationName} refused: no member reports a leader (an election is under way or quorum is lost). Try again once the cluster has a leader.",
            null, OperationName);

        var reachableVoters = view.Voters.Where(m => m.IsReachable).ToList();
        var plans = new List<MemberPlan>();
        foreach (var member in reachableVoters.Where(m => m != leader).OrderBy(m => m.DisplayName, StringComparer.Ordinal).Append(leader))
        {
            var status = WithQuota(member.Status!);
            var decision = _options.DefragmentWhen.Evaluate(status);
            plans.Add(new MemberPlan(member.DisplayName, member.Member.Id, member.Endpoint?.Text, member == leader,
                decision.Defragment ? MemberPlanAction.Defragment : MemberPlanAction.SkipNotWorthIt, decision.Reason, status.DbSize));
        }

        plans.AddRange(view.Members.Where(m => m.Member.IsLearner).Select(m =>
            new MemberPlan(m.DisplayName, m.Member.Id, m.Endpoint?.Text, false, MemberPlanAction.SkipLearner, LearnerReason(m, m.Status is { } s ? WithQuota(s) : null), m.Status?.DbSize)));
        plans.AddRange(unreachable.Select(m =>
            new MemberPlan(m.DisplayName, m.Member.Id, m.Endpoint?.Text, false, MemberPlanAction.SkipUnreachable, $"unreachable: {m.Error?.Message}", null)));

        var leaderPlan = plans.First(p => p.IsLeader);
        var moveLeader = _options.MoveLeaderAway ?? reachableVoters.Count >= 3;
        var moveTo = moveLeader && leaderPlan.Action == MemberPlanAction.Defragment
            ? plans.FirstOrDefault(p => !p.IsLeader && p.Action == MemberPlanAction.Defragment)?.Id
                ?? plans.FirstOrDefault(p => !p.IsLeader && p.Action == MemberPlanAction.SkipNotWorthIt)?.Id
            : null;

        var compactAt = _options.Compaction.Resolve(view.MaxRevision, _timeProvider.GetUtcNow());
        return new SpaceRecoveryPlan(compactAt, plans, moveTo, view.Alarms, Steps(view, compactAt, plans, moveTo));
    }

    /// <summary>What changed between the plan the caller saw and the cluster now, in the ways that make the plan unsafe to run; <see langword="null"/> when nothing did.</summary>
    private static string? Drift(SpaceRecoveryPlan seen, SpaceRecoveryPlan now)
    {
        var changes = new List<string>();
        static string Names(SpaceRecoveryPlan plan) => string.Join(", ", plan.Members.Select(m => m.Name).Order(StringComparer.Ordinal));
        if (!seen.Members.Select(m => m.Id).ToHashSet().SetEquals(now.Members.Select(m => m.Id)))
        {
            changes.Add($"the members were {Names(seen)}, they are {Names(now)}");
        }

        var seenLeader = seen.Members.FirstOrDefault(m => m.IsLeader);
        var nowLeader = now.Members.FirstOrDefault(m => m.IsLeader);
        if (seenLeader?.Id != nowLeader?.Id)
        {
            changes.Add($"the leader was {seenLeader?.Name ?? "none"}, it is {nowLeader?.Name ?? "none"}");
        }

        foreach (var member in now.Members.Where(m => m.Action is MemberPlanAction.SkipLearner or MemberPlanAction.SkipUnreachable))
        {
            if (seen.Members.FirstOrDefault(m => m.Id == member.Id) is { } before && before.Action != member.Action)
            {
                changes.Add($"{member.Name} is now {(member.Action == MemberPlanAction.SkipLearner ? "a learner" : "unreachable")}");
            }
        }

        return changes.Count == 0 ? null : string.Join("; ", changes);
    }

    /// <summary>
    /// Why a learner is left alone (etcd refuses to defragment one), and, when it is near its quota
    /// (<see cref="LearnerAdviceQuotaRatio"/>), what to do instead: a learner's file counts towards NOSPACE like any member's.
    /// </summary>
    internal static string LearnerReason(MemberView learner, EndpointStatus? status)
    {
        const string Skipped = "learner: etcd refuses to defragment a learner";
        if (status?.QuotaUsage is not { } usage || usage < LearnerAdviceQuotaRatio)
        {
            return Skipped;
        }

        return string.Create(CultureInfo.InvariantCulture,
            $"{Skipped}, yet it is at {usage:0%} of its quota ({Size(status.DbSize)} of {Size(status.DbSizeQuota)}): once it has caught up, promote it ('etcdctl member promote {learner.Member.Id}') and run the recovery again to defragment it, or remove it and add it back so that it starts from a fresh snapshot");
    }

    private List<OperationStep> Steps(ClusterView view, long? compactAt, IReadOnlyList<MemberPlan> plans, MemberId? moveTo)
    {
        var steps = new List<OperationStep>();
        void Add(string description, string command) => steps.Add(new OperationStep(steps.Count + 1, description, command));
        var all = string.Join(',', view.Members.Where(m => m.Endpoint is not null).Select(m => m.Endpoint!.Text));

        Add("Check every voting member's status, health and the alarms (NOSPACE is expected; CORRUPT stops everything).",
            $"etcdctl --endpoints={all} endpoint status -w table && etcdctl --endpoints={all} endpoint health && etcdctl --endpoints={all} alarm list");
        if (compactAt is { } revision)
        {
            Add($"Compact the history at {_options.Compaction.Describe()} ({revision}), waiting until it is physically applied.",
                $"etcdctl --endpoints={all} compact {revision} --physical");
        }
        else
        {
            Add("Nothing to compact.", "-");
        }

        foreach (var member in plans.Where(p => p.Action == MemberPlanAction.Defragment))
        {
            if (member.IsLeader && moveTo is { } target)
            {
                Add($"Hand leadership from {member.Name} to {view.Find(target)?.DisplayName} so that the leader is not blocked by its defragment.",
                    $"etcdctl --endpoints={member.Endpoint} move-leader {target}");
            }

            Add($"Defragment {member.Name}{(member.IsLeader ? " (the leader, last)" : string.Empty)} because {member.Reason}; wait until it is healthy and caught up before the next member.",
                $"etcdctl --endpoints={member.Endpoint} --command-timeout=120s defrag");
        }

        Add($"Disarm NOSPACE alarms only, and only when every member's DB size is at most {_options.DisarmBelowQuotaRatio:P0} of the quota (a bare 'etcdctl alarm disarm' would also clear CORRUPT).",
            $"etcdctl --endpoints={all} alarm disarm");
        Add("Verify: no NOSPACE alarm, and a probe write succeeds.",
            $"etcdctl --endpoints={all} alarm list && etcdctl --endpoints={all} put {EtcdMaintenanceClient.ReservedKeyPrefix}probe x && etcdctl --endpoints={all} del {EtcdMaintenanceClient.ReservedKeyPrefix}probe");
        return steps;
    }

    private async Task EnsureVotersServeReadsAsync(ClusterView view, CancellationToken cancellationToken)
    {
        foreach (var member in view.Voters.Where(m => m.IsReachable))
        {
            var health = await _client.CheckHealthAsync(member.Endpoint!, cancellationToken).ConfigureAwait(false);
            if (!health.AnswersReads)
            {
                throw new EtcdSafetyCheckException(
                    $"{OperationName} refused: {member.DisplayName} answers status but not a linearizable read ({health.Error}). Nothing was changed.",
                    member.Endpoint!.Text, OperationName);
            }
        }
    }

    private async Task<long?> CompactAsync(SpaceRecoveryPlan plan, Action<SpaceRecoveryStage, string?, string> report, CancellationToken cancellationToken)
    {
        if (plan.CompactRevision is not { } revision)
        {
            report(SpaceRecoveryStage.Compacted, null, "nothing to compact");
            return null;
        }

        report(SpaceRecoveryStage.Compacting, null, $"compacting at revision {revision} (physical)");
        var result = await _client.CompactAsync(revision, physical: true, cancellationToken).ConfigureAwait(false);
        report(SpaceRecoveryStage.Compacted, null, result.AlreadyCompacted ? $"already compacted at revision {revision}" : $"compacted at revision {revision}");

        return revision;
    }

    private async Task WaitUntilBackAsync(EtcdEndpoint endpoint, Action<SpaceRecoveryStage, string?, string> report, CancellationToken cancellationToken)
    {
        report(SpaceRecoveryStage.WaitingForMember, endpoint.Text, $"waiting until {endpoint} is healthy and caught up");
        var target = await MemberReadiness.LeaderIndexAsync(_client, endpoint, cancellationToken).ConfigureAwait(false);
        await MemberReadiness.WaitUntilBackAsync(_client, endpoint, target, OperationName, _options.MemberRecoveryTimeout, _options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
    }

    private async Task MoveLeaderAsync(ClusterView view, MemberId target, CancellationToken cancellationToken)
    {
        await _client.MoveLeaderAsync(target, cancellationToken).ConfigureAwait(false);
        var endpoint = view.Find(target)!.Endpoint!;
        var started = _timeProvider.GetTimestamp();
        while (!(await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false)).IsLeader)
        {
            if (_timeProvider.GetElapsedTime(started) >= _options.MemberRecoveryTimeout)
            {
                throw new EtcdSafetyCheckException($"{OperationName}: leadership did not move to {target} within {EtcdErrors.Format(_options.MemberRecoveryTimeout)}.", endpoint.Text, OperationName);
            }

            await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<(IReadOnlyList<EtcdAlarm> Disarmed, string? Note)> DisarmNoSpaceAsync(Action<SpaceRecoveryStage, string?, string> report, CancellationToken cancellationToken)
    {
        if (!_options.DisarmNoSpace)
        {
            if ((await _client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false)).All(a => a.Type != EtcdAlarmType.NoSpace))
            {
                return ([], null);
            }

            const string Kept = "NOSPACE kept: disarming was not asked for.";
            report(SpaceRecoveryStage.AlarmKept, null, Kept);
            return ([], Kept);
        }

        var outcome = await NoSpaceDisarm.DisarmIfUnderAsync(_client, _options.DisarmBelowQuotaRatio, WithQuota, cancellationToken).ConfigureAwait(false);
        if (outcome.Kept is { } keep)
        {
            report(SpaceRecoveryStage.AlarmKept, null, keep);
            return ([], keep);
        }

        foreach (var alarm in outcome.Active)
        {
            var name = outcome.View.Find(alarm.MemberId)?.DisplayName;
            report(SpaceRecoveryStage.AlarmDisarmed, name, $"disarmed NOSPACE on {name ?? alarm.MemberId.ToString()}");
        }

        return (outcome.Disarmed, null);
    }

    private async Task<IReadOnlyList<EtcdAlarm>> TryGetAlarmsAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await _client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            return [];
        }
    }

    private EndpointStatus WithQuota(EndpointStatus status) =>
        status.DbSizeQuota is null && _options.QuotaBackendBytes is { } quota
            ? status with { DbSizeQuota = quota, QuotaSource = EtcdQuotaSource.Configured, QuotaUnavailableReason = null }
            : status;

    internal static string Size(long? bytes) => bytes switch
    {
        null => "?",
        >= 1024 * 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / (1024.0 * 1024):0.0} MiB"),
        >= 1024 => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0:0.0} KiB"),
        _ => $"{bytes} B",
    };
}
