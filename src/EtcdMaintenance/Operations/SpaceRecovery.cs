using System.Globalization;
using System.Text.Json;
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
    public async Task<SpaceRecoveryReport> ExecuteAsync(IProgress<SpaceRecoveryProgress>? progress = null, CancellationToken cancellationToken = default) =>
        await (await StartAsync(await PlanAsync(cancellationToken).ConfigureAwait(false), progress, null, cancellationToken).ConfigureAwait(false)).WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs the plan the caller saw (as <see cref="StartAsync"/>) to the end.</summary>
    /// <param name="plan">The plan <see cref="PlanAsync"/> returned.</param>
    /// <param name="progress">Receives every stage.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point (never inside a defragment).</param>
    /// <returns>The report; <see cref="SpaceRecoveryReport.Succeeded"/> is <see langword="false"/> when a step failed (the report says which and how to continue).</returns>
    /// <exception cref="EtcdSafetyCheckException">The checks refused to start, or the cluster changed since the plan; nothing was changed.</exception>
    /// <exception cref="OperationCanceledException">Cancelled at a safe point.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ by a required first parameter (the plan), so no call can be ambiguous.")]
    public async Task<SpaceRecoveryReport> ExecuteAsync(SpaceRecoveryPlan plan, IProgress<SpaceRecoveryProgress>? progress = null, CancellationToken cancellationToken = default) =>
        await (await StartAsync(plan, progress, null, cancellationToken).ConfigureAwait(false)).WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Starts the plan the caller saw (from <see cref="PlanAsync"/>): its compaction revision, its members in its order, its
    /// leadership move, exactly its <see cref="SpaceRecoveryPlan.Steps"/>. The safety checks run again first, and the start
    /// is refused, before any change, when the cluster changed since the plan (other members, another leader, a member now
    /// unreachable or a learner): plan again then. Whether each member is still worth defragmenting is judged again after
    /// the compaction, as in the plan's reasons. No step runs until the handle is asked to.
    /// </summary>
    /// <param name="plan">The plan <see cref="PlanAsync"/> returned.</param>
    /// <param name="progress">Receives every stage, synchronously, from the thread running the step.</param>
    /// <param name="checkpointPath">Where to write the checkpoint (owner-only) after every step, to resume with <see cref="ResumeAsync"/>; <see langword="null"/>: kept in memory only.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="EtcdSafetyCheckException">The checks refused to start, or the cluster changed since the plan; nothing was changed.</exception>
    public async Task<EtcdOperation<SpaceRecoveryReport, SpaceRecoveryProgress>> StartAsync(
        SpaceRecoveryPlan plan, IProgress<SpaceRecoveryProgress>? progress = null, string? checkpointPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = _timeProvider.GetUtcNow();
        var checkpoint = new OperationCheckpoint
        {
            OperationId = $"space-recovery-{now:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}",
            Kind = OperationName,
            Plan = JsonSerializer.SerializeToElement(plan, OperationJsonContext.Default.SpaceRecoveryPlan),
            Steps = plan.Steps,
            StepNames = [.. SpaceRecoveryStepList.For(plan).Select(s => s.Name)],
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await OpenAsync(plan, checkpoint, progress, checkpointPath, resuming: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes a space recovery from its checkpoint (<see cref="OperationCheckpoint.ReadAsync"/>): the same plan, its
    /// completed steps skipped. Refused when the members changed since (the leader may differ: the run may have moved it).
    /// </summary>
    /// <param name="checkpoint">The checkpoint a run wrote or <see cref="EtcdOperation{TResult, TProgress}.GetCheckpoint"/> returned.</param>
    /// <param name="progress">Receives every stage.</param>
    /// <param name="checkpointPath">Where to go on writing the checkpoint, if anywhere.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="InvalidDataException">The checkpoint is not a space recovery's.</exception>
    /// <exception cref="EtcdSafetyCheckException">The checks refused, or the members changed since the plan.</exception>
    public async Task<EtcdOperation<SpaceRecoveryReport, SpaceRecoveryProgress>> ResumeAsync(
        OperationCheckpoint checkpoint, IProgress<SpaceRecoveryProgress>? progress = null, string? checkpointPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var plan = checkpoint is { Kind: OperationName, Plan: { } json } ? json.Deserialize(OperationJsonContext.Default.SpaceRecoveryPlan) : null;
        return await OpenAsync(
            plan ?? throw new InvalidDataException($"The checkpoint {checkpoint.OperationId} is a {checkpoint.Kind} checkpoint without a space-recovery plan."),
            checkpoint, progress, checkpointPath, resuming: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EtcdOperation<SpaceRecoveryReport, SpaceRecoveryProgress>> OpenAsync(
        SpaceRecoveryPlan plan, OperationCheckpoint checkpoint, IProgress<SpaceRecoveryProgress>? progress, string? checkpointPath, bool resuming, CancellationToken cancellationToken)
    {
        var feed = new ProgressFeed<SpaceRecoveryProgress>(progress);
        var view = await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false);
        var run = new SpaceRecoveryRun(_client, _options, view, plan, feed, _logger, _timeProvider);
        run.Report(SpaceRecoveryStage.Checking, null, "checking members, health and alarms");
        if (Drift(plan, BuildPlan(view), ignoreLeader: resuming) is { } drift)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: the cluster changed since the plan ({drift}). Nothing was changed: plan again and check the new plan.",
                null, OperationName);
        }

        return new StepOperation<SpaceRecoveryRun, SpaceRecoveryReport, SpaceRecoveryProgress>(
            run, SpaceRecoveryStepList.For(plan), checkpoint, feed, CompleteAsync, FailedAsync, checkpointPath, _timeProvider, _logger);
    }

    private static Task<SpaceRecoveryReport> CompleteAsync(SpaceRecoveryRun run, CancellationToken cancellationToken)
    {
        var noSpaceLeft = run.AlarmsRemaining.Any(a => a.Type == EtcdAlarmType.NoSpace);
        var succeeded = !noSpaceLeft && run.ProbeWriteSucceeded != false;
        var report = run.BuildReport(succeeded, succeeded ? null : noSpaceLeft ? run.AlarmNote ?? "NOSPACE is still active." : $"the probe write failed: {run.ProbeError}");
        run.Report(SpaceRecoveryStage.Completed, null, succeeded
            ? $"recovered {Size(report.Reclaimed)} in {report.Elapsed.TotalSeconds:0.0} s; writes work"
            : $"finished without recovering: {report.FailureReason}");
        return Task.FromResult(report);
    }

    /// <summary>A member's defragment (or the leadership move before it) failed: the run stops with a report that says where and how to go on.</summary>
    private static async Task<SpaceRecoveryReport?> FailedAsync(SpaceRecoveryRun run, string where, Exception error)
    {
        if (error is not EtcdException ex || run.CurrentMember is not { } member)
        {
            return null;
        }

        run.Report(SpaceRecoveryStage.DefragmentFailed, member.Name, ex.Message);
        run.Members[member.Id] = SpaceRecoveryRun.NotDefragmented(member, ex.Message, member.DbSize);
        run.AlarmsRemaining = await TryGetAlarmsAsync(run.Client).ConfigureAwait(false);
        return run.BuildReport(false,
            $"stopped at {member.Name}: {ex.Message} No alarm was disarmed. Once {member.Name} is healthy again, run the recovery again (or resume it from its checkpoint) to continue. ({where})",
            ex);
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
            var status = WithQuota(member.Status!, _options.QuotaBackendBytes);
            var decision = _options.DefragmentWhen.Evaluate(status);
            plans.Add(new MemberPlan
            {
                Name = member.DisplayName,
                Id = member.Member.Id,
                Endpoint = member.Endpoint?.Text,
                IsLeader = member == leader,
                Action = decision.Defragment ? MemberPlanAction.Defragment : MemberPlanAction.SkipNotWorthIt,
                Reason = decision.Reason,
                DbSize = status.DbSize,
            });
        }

        plans.AddRange(view.Members.Where(m => m.Member.IsLearner).Select(m =>
            new MemberPlan
            {
                Name = m.DisplayName,
                Id = m.Member.Id,
                Endpoint = m.Endpoint?.Text,
                IsLeader = false,
                Action = MemberPlanAction.SkipLearner,
                Reason = LearnerReason(m, m.Status is { } s ? WithQuota(s, _options.QuotaBackendBytes) : null),
                DbSize = m.Status?.DbSize,
            }));
        plans.AddRange(unreachable.Select(m =>
            new MemberPlan
            {
                Name = m.DisplayName,
                Id = m.Member.Id,
                Endpoint = m.Endpoint?.Text,
                IsLeader = false,
                Action = MemberPlanAction.SkipUnreachable,
                Reason = $"unreachable: {m.Error?.Message}",
            }));

        var leaderPlan = plans.First(p => p.IsLeader);
        var moveLeader = _options.MoveLeaderAway ?? reachableVoters.Count >= 3;
        var moveTo = moveLeader && leaderPlan.Action == MemberPlanAction.Defragment
            ? plans.FirstOrDefault(p => !p.IsLeader && p.Action == MemberPlanAction.Defragment)?.Id
                ?? plans.FirstOrDefault(p => !p.IsLeader && p.Action == MemberPlanAction.SkipNotWorthIt)?.Id
            : null;

        var compactAt = _options.Compaction.Resolve(view.MaxRevision, _timeProvider.GetUtcNow());
        var plan = new SpaceRecoveryPlan { CompactRevision = compactAt, Members = plans, MoveLeaderTo = moveTo, Alarms = view.Alarms, Steps = [] };
        var run = new SpaceRecoveryRun(_client, _options, view, plan, new ProgressFeed<SpaceRecoveryProgress>(), _logger, _timeProvider);
        return plan with { Steps = [.. SpaceRecoveryStepList.For(plan).Select((step, i) => step.Describe(run, i + 1))] };
    }

    /// <summary>What changed between the plan the caller saw and the cluster now, in the ways that make the plan unsafe to run; <see langword="null"/> when nothing did.</summary>
    private static string? Drift(SpaceRecoveryPlan seen, SpaceRecoveryPlan now, bool ignoreLeader)
    {
        var changes = new List<string>();
        static string Names(SpaceRecoveryPlan plan) => string.Join(", ", plan.Members.Select(m => m.Name).Order(StringComparer.Ordinal));
        if (!seen.Members.Select(m => m.Id).ToHashSet().SetEquals(now.Members.Select(m => m.Id)))
        {
            changes.Add($"the members were {Names(seen)}, they are {Names(now)}");
        }

        var seenLeader = seen.Members.FirstOrDefault(m => m.IsLeader);
        var nowLeader = now.Members.FirstOrDefault(m => m.IsLeader);
        if (!ignoreLeader && seenLeader?.Id != nowLeader?.Id)
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

    private static async Task<IReadOnlyList<EtcdAlarm>> TryGetAlarmsAsync(IEtcdMaintenanceClient client)
    {
        try
        {
            return await client.GetAlarmsAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            return [];
        }
    }

    /// <summary>Fills in the configured quota for a member whose quota the client could not learn.</summary>
    internal static EndpointStatus WithQuota(EndpointStatus status, long? configured) =>
        status.DbSizeQuota is null && configured is { } quota
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
