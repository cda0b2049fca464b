using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Operations;

/// <summary>Settings of a quota raise.</summary>
public sealed class QuotaRaiseOptions
{
    /// <summary>The new <c>--quota-backend-bytes</c>.</summary>
    public required QuotaBackendBytes NewQuota { get; set; }

    /// <summary>Allow a quota above 8 GiB, etcd's suggested maximum.</summary>
    /// <value><see langword="false"/>.</value>
    public bool Force { get; set; }

    /// <summary>How long a restarted member may take to be back: healthy, answering, caught up with the leader.</summary>
    /// <value>2 minutes.</value>
    public TimeSpan MemberRestartTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>For hosts whose manager restarts the member on a manifest change (kubelet): how long to wait to see it go down.</summary>
    /// <value>90 seconds (kubelet notices manifest changes within its file-check period, 20 s by default).</value>
    public TimeSpan RestartObservationTimeout { get; set; } = TimeSpan.FromSeconds(90);

    /// <summary>How often to look while waiting.</summary>
    /// <value>200 ms.</value>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Whether to disarm NOSPACE at the end, once every member is under <see cref="DisarmBelowQuotaRatio"/> of its new
    /// quota (etcd keeps the alarm armed through restarts and quota changes: writes fail until it is disarmed).
    /// </summary>
    /// <value><see langword="true"/>.</value>
    public bool DisarmNoSpace { get; set; } = true;

    /// <summary>NOSPACE is disarmed only when every member's DB size is at most this share of its quota.</summary>
    /// <value>0.9 (90%), as space recovery and etcd-defrag do.</value>
    public double DisarmBelowQuotaRatio { get; set; } = 0.9;

    internal void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(DisarmBelowQuotaRatio, nameof(DisarmBelowQuotaRatio));
        ArgumentOutOfRangeException.ThrowIfGreaterThan(DisarmBelowQuotaRatio, 1.0, nameof(DisarmBelowQuotaRatio));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(MemberRestartTimeout, TimeSpan.Zero, nameof(MemberRestartTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(RestartObservationTimeout, TimeSpan.Zero, nameof(RestartObservationTimeout));
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(PollInterval, TimeSpan.Zero, nameof(PollInterval));
    }
}

/// <summary>One member's part in a quota raise.</summary>
/// <param name="Host">The host's name.</param>
/// <param name="ManifestPath">The manifest patched.</param>
/// <param name="Member">The member (its <c>--name</c>).</param>
/// <param name="MemberId">Its ID.</param>
/// <param name="IsLeader">Whether it led when planned (leaders restart last).</param>
/// <param name="CurrentQuota">The quota in the manifest now (<see langword="null"/>: not set, etcd's 2 GiB default).</param>
/// <param name="AlreadySet">Whether the manifest already has the new quota.</param>
/// <param name="Diff">The unified diff of the manifest change (empty when already set).</param>
/// <param name="Notices">Warnings and advice from the manifest API (liveness probe budget, kubeadm's copy of the flags...).</param>
public sealed record QuotaRaiseMemberPlan(string Host, string ManifestPath, string Member, MemberId MemberId, bool IsLeader, QuotaBackendBytes? CurrentQuota, bool AlreadySet, string Diff, IReadOnlyList<ManifestNotice> Notices);

/// <summary>The dry run of a quota raise: one member at a time, followers first, with each manifest's diff.</summary>
/// <param name="NewQuota">The quota to set.</param>
/// <param name="Members">The members in the order they are patched and restarted.</param>
/// <param name="Steps">The steps with their shell equivalents.</param>
public sealed record QuotaRaisePlan(QuotaBackendBytes NewQuota, IReadOnlyList<QuotaRaiseMemberPlan> Members, IReadOnlyList<OperationStep> Steps);

/// <summary>The stages of a quota raise.</summary>
public enum QuotaRaiseStage
{
    /// <summary>Checking members and manifests.</summary>
    Checking,
    /// <summary>A manifest was patched (or found patched).</summary>
    ManifestPatched,
    /// <summary>The member is being restarted.</summary>
    Restarting,
    /// <summary>The member is back, healthy and caught up.</summary>
    MemberBack,
    /// <summary>The member needed nothing.</summary>
    Skipped,
    /// <summary>Every member runs with the new quota.</summary>
    Completed,
    /// <summary>NOSPACE disarmed (every member under the threshold of its new quota) or kept, with the reason.</summary>
    NoSpaceAlarm,
}

/// <summary>A progress event of a quota raise.</summary>
/// <param name="Stage">What happened.</param>
/// <param name="Member">The member concerned.</param>
/// <param name="Message">A one-line description.</param>
/// <param name="Elapsed">Time since the start.</param>
public sealed record QuotaRaiseProgress(QuotaRaiseStage Stage, string? Member, string Message, TimeSpan Elapsed);

/// <summary>The outcome of a quota raise.</summary>
/// <param name="NewQuota">The quota set.</param>
/// <param name="Members">The members restarted (or skipped), in order, with their manifest backups.</param>
/// <param name="Elapsed">The whole run's duration.</param>
public sealed record QuotaRaiseReport(QuotaBackendBytes NewQuota, IReadOnlyList<QuotaRaiseMemberReport> Members, TimeSpan Elapsed)
{
    /// <summary>Whether writes work at the end: no NOSPACE alarm is left and the probe write succeeded.</summary>
    public bool Succeeded => AlarmsRemaining.All(a => a.Type != EtcdAlarmType.NoSpace) && ProbeWriteSucceeded;

    /// <summary>The NOSPACE alarms disarmed at the end (every member under the threshold of its new quota).</summary>
    public IReadOnlyList<EtcdAlarm> AlarmsDisarmed { get; init; } = [];

    /// <summary>The alarms still active at the end.</summary>
    public IReadOnlyList<EtcdAlarm> AlarmsRemaining { get; init; } = [];

    /// <summary>Why NOSPACE was kept, or why the probe write failed, when writes do not work.</summary>
    public string? FailureReason { get; init; }

    /// <summary>Whether the final probe write (a key under <see cref="EtcdMaintenanceClient.ReservedKeyPrefix"/>, deleted afterwards) succeeded.</summary>
    public bool ProbeWriteSucceeded { get; init; }
}

/// <summary>One member's outcome.</summary>
/// <param name="Member">Member name.</param>
/// <param name="Restarted">Whether it was restarted with the new quota.</param>
/// <param name="BackupPath">The manifest backup, when one was written.</param>
/// <param name="ReportedQuota">The quota the member reports after the restart (etcd 3.6+), if any.</param>
public sealed record QuotaRaiseMemberReport(string Member, bool Restarted, string? BackupPath, long? ReportedQuota);

/// <summary>
/// Raises <c>--quota-backend-bytes</c> across the cluster, one member at a time: patch its manifest (backup, atomic
/// write), let it restart (kubelet restarts a static pod by itself; a local process is restarted), wait until it is
/// healthy and caught up, then the next. Never more than one member down: it refuses to start, and stops, when
/// any other voting member does not answer. Refuses a quota below the current DB size and, unless forced, above 8 GiB.
/// Running it again continues: manifests already patched are recognised.
/// </summary>
public sealed class QuotaRaise
{
    private const string OperationName = "QuotaRaise";

    private readonly IEtcdMaintenanceClient _client;
    private readonly IReadOnlyList<IEtcdMemberHost> _hosts;
    private readonly QuotaRaiseOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a quota raise over the given member hosts (one per member whose quota is raised).</summary>
    public QuotaRaise(IEtcdMaintenanceClient client, IReadOnlyList<IEtcdMemberHost> hosts, QuotaRaiseOptions options, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(hosts);
        ArgumentNullException.ThrowIfNull(options);
        if (hosts.Count == 0)
        {
            throw new ArgumentException("Give at least one member host.", nameof(hosts));
        }

        options.Validate();
        _client = client;
        _hosts = hosts;
        _options = options;
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>The dry run: checks the cluster and every manifest, and returns each manifest's diff. Changes nothing.</summary>
    /// <exception cref="EtcdSafetyCheckException">A voting member does not answer, a manifest names no known member, or a local host would restart a member with an etcd binary older than the cluster's version.</exception>
    /// <exception cref="ManifestException">A manifest cannot be read, or the quota is refused (below the DB size, above 8 GiB without force).</exception>
    public async Task<QuotaRaisePlan> PlanAsync(CancellationToken cancellationToken = default)
    {
        var view = await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false);
        EnsureAllVotersAnswer(view, null);
        var largest = view.Members.Select(m => m.Status?.DbSize ?? 0).Max();
        var clusterVersion = MemberBinaryCheck.ClusterVersion(view.Members.Select(m => m.Status));
        var members = new List<QuotaRaiseMemberPlan>();
        foreach (var host in _hosts)
        {
            var manifest = await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
            var name = manifest.GetName();
            var member = view.Members.FirstOrDefault(m => m.Member.Name == name) ?? throw new EtcdSafetyCheckException(
                $"{OperationName} refused: the manifest {host.ManifestPath} runs member '{name}', which is not in the member list ({string.Join(", ", view.Members.Select(m => m.DisplayName))}).",
                null, OperationName);
            var binary = await MemberBinaryCheck.CheckAsync(host, manifest, clusterVersion, member.DisplayName, cancellationToken).ConfigureAwait(false);
            if (!binary.Passed)
            {
                throw new EtcdSafetyCheckException($"{OperationName} refused: {binary.Detail}", member.Endpoint?.Text, OperationName);
            }

            var current = manifest.GetQuotaBackendBytes();
            var already = current is { } q && q.EffectiveBytes == _options.NewQuota.EffectiveBytes;
            var edited = already ? manifest : manifest.SetQuotaBackendBytes(_options.NewQuota, new QuotaChangeOptions { CurrentDatabaseSize = largest, Force = _options.Force });
            members.Add(new QuotaRaiseMemberPlan(host.Name, host.ManifestPath, member.DisplayName, member.Member.Id, member.Status?.IsLeader == true, current, already,
                already ? string.Empty : edited.GetDiff(), edited.Notices));
        }

        members = [.. members.OrderBy(m => m.IsLeader)];
        return new QuotaRaisePlan(_options.NewQuota, members, Steps(members, view));
    }

    /// <summary>Runs the raise. Cancellation stops it between members.</summary>
    /// <exception cref="EtcdSafetyCheckException">A check refused, or a member did not come back (the message says which and how to go on).</exception>
    /// <exception cref="ManifestException">A manifest could not be patched; that file is untouched.</exception>
    public async Task<QuotaRaiseReport> ExecuteAsync(IProgress<QuotaRaiseProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var started = _timeProvider.GetTimestamp();
        void Report(QuotaRaiseStage stage, string? member, string message)
        {
            OperationsLog.QuotaRaiseProgress(_logger, stage, member ?? "-", message);
            progress?.Report(new QuotaRaiseProgress(stage, member, message, _timeProvider.GetElapsedTime(started)));
        }

        Report(QuotaRaiseStage.Checking, null, $"checking members and {_hosts.Count} manifest(s)");
        var plan = await PlanAsync(cancellationToken).ConfigureAwait(false);
        var reports = new List<QuotaRaiseMemberReport>();
        foreach (var member in plan.Members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var host = _hosts.First(h => h.Name == member.Host && h.ManifestPath == member.ManifestPath);
            var view = await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false);
            EnsureAllVotersAnswer(view, member.MemberId);
            var endpoint = view.Find(member.MemberId)?.Endpoint ?? throw new EtcdSafetyCheckException(
                $"{OperationName}: member {member.Member} has no client URL to check it by.", null, OperationName);

            if (member.AlreadySet && host.RestartsOnManifestChange)
            {
                Report(QuotaRaiseStage.Skipped, member.Member, $"{member.Member}: the manifest already has {_options.NewQuota.ToDisplayString()}");
                reports.Add(new QuotaRaiseMemberReport(member.Member, false, null, view.Find(member.MemberId)?.Status?.DbSizeQuota));
                continue;
            }

            string? backup = null;
            if (!member.AlreadySet)
            {
                var manifest = await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
                var largest = view.Members.Select(m => m.Status?.DbSize ?? 0).Max();
                var edited = manifest.SetQuotaBackendBytes(_options.NewQuota, new QuotaChangeOptions { CurrentDatabaseSize = largest, Force = _options.Force });
                var saved = await host.SaveManifestAsync(edited, cancellationToken: cancellationToken).ConfigureAwait(false);
                backup = saved.BackupPath;
                Report(QuotaRaiseStage.ManifestPatched, member.Member, $"{member.Member}: patched {saved.Path}{(backup is null ? string.Empty : $" (backup {backup})")}");
            }

            Report(QuotaRaiseStage.Restarting, member.Member, $"restarting {member.Member}");
            if (host.RestartsOnManifestChange)
            {
                await WaitUntilDownAsync(endpoint, member.Member, cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await host.ApplyManifestAsync(cancellationToken).ConfigureAwait(false);
            }

            var leaderIndex = await LeaderIndexExceptAsync(member.MemberId, endpoint, cancellationToken).ConfigureAwait(false);
            await MemberReadiness.WaitUntilBackAsync(_client, endpoint, leaderIndex, OperationName, _options.MemberRestartTimeout, _options.PollInterval, _timeProvider, cancellationToken, waitThroughRestarts: true).ConfigureAwait(false);
            _client.ForgetMemberQuota(endpoint);   // it restarted with the new quota: read it again
            var status = await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
            Report(QuotaRaiseStage.MemberBack, member.Member, $"{member.Member} is back, healthy and caught up (quota {SpaceRecovery.Size(status.DbSizeQuota)})");
            reports.Add(new QuotaRaiseMemberReport(member.Member, true, backup, status.DbSizeQuota));
        }

        var (disarmed, remaining, failure, probe) = await FollowThroughAsync(Report, cancellationToken).ConfigureAwait(false);
        var report = new QuotaRaiseReport(_options.NewQuota, reports, _timeProvider.GetElapsedTime(started))
        {
            AlarmsDisarmed = disarmed,
            AlarmsRemaining = remaining,
            FailureReason = failure,
            ProbeWriteSucceeded = probe,
        };
        Report(QuotaRaiseStage.Completed, null, report.Succeeded
            ? $"every member runs with --quota-backend-bytes={_options.NewQuota} ({_options.NewQuota.ToDisplayString()}){(disarmed.Count > 0 ? "; NOSPACE disarmed" : string.Empty)}; writes work"
            : $"every member runs with --quota-backend-bytes={_options.NewQuota} ({_options.NewQuota.ToDisplayString()}), but writes still fail: {failure}");
        return report;
    }

    /// <summary>Disarms NOSPACE once every member is under the threshold of its new quota, then proves writes work.</summary>
    private async Task<(IReadOnlyList<EtcdAlarm> Disarmed, IReadOnlyList<EtcdAlarm> Remaining, string? Failure, bool Probe)> FollowThroughAsync(
        Action<QuotaRaiseStage, string?, string> report, CancellationToken cancellationToken)
    {
        IReadOnlyList<EtcdAlarm> disarmed = [];
        string? kept = null;
        if (_options.DisarmNoSpace)
        {
            var outcome = await NoSpaceDisarm.DisarmIfUnderAsync(_client, _options.DisarmBelowQuotaRatio, WithNewQuota, cancellationToken).ConfigureAwait(false);
            disarmed = outcome.Disarmed;
            kept = outcome.Kept;
            report(QuotaRaiseStage.NoSpaceAlarm, null, kept ?? (outcome.Active.Count > 0
                ? $"disarmed NOSPACE: every member is under {_options.DisarmBelowQuotaRatio:P0} of its new quota"
                : "no NOSPACE alarm to disarm"));
        }

        var remaining = await _client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _client.ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
            return (disarmed, remaining, null, true);
        }
        catch (EtcdException ex)
        {
            var why = remaining.Any(a => a.Type == EtcdAlarmType.NoSpace)
                ? kept ?? "NOSPACE is still armed (disarming was not asked for)"
                : ex.Message;
            return (disarmed, remaining, $"the probe write failed: {ex.Message} ({why})", false);
        }
    }

    // A member whose quota cannot be read now runs with the quota this raise set.
    private EndpointStatus WithNewQuota(EndpointStatus status) => status.DbSizeQuota is null
        ? status with { DbSizeQuota = _options.NewQuota.EffectiveBytes, QuotaSource = EtcdQuotaSource.Configured, QuotaUnavailableReason = null }
        : status;

    private static void EnsureAllVotersAnswer(ClusterView view, MemberId? except)
    {
        if (view.Voters.FirstOrDefault(m => !m.IsReachable && m.Member.Id != except) is { } down)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: {down.DisplayName} does not answer ({down.Error?.Message}). Restarting another member now could cost quorum; bring {down.DisplayName} back first, then run the raise again (members already patched are recognised).",
                down.Endpoint?.Text, OperationName);
        }
    }

    private async Task<ulong> LeaderIndexExceptAsync(MemberId restarting, EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        // While the member restarts the others elect or keep a leader; take its index as the catch-up target.
        var started = _timeProvider.GetTimestamp();
        while (true)
        {
            var cluster = await _client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
            if (cluster.Reachable.FirstOrDefault(s => s.IsLeader && s.MemberId != restarting) is { } leader)
            {
                return leader.RaftIndex;
            }

            if (cluster.Reachable.Any(s => s.IsLeader) || _timeProvider.GetElapsedTime(started) >= _options.MemberRestartTimeout)
            {
                return await MemberReadiness.LeaderIndexAsync(_client, endpoint, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitUntilDownAsync(EtcdEndpoint endpoint, string member, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        while (true)
        {
            try
            {
                await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdUnavailableException)
            {
                return;
            }

            if (_timeProvider.GetElapsedTime(started) >= _options.RestartObservationTimeout)
            {
                throw new EtcdSafetyCheckException(
                    $"{OperationName}: {member} did not restart within {EtcdErrors.Format(_options.RestartObservationTimeout)} of its manifest change. Check that kubelet is running on its node; the manifest is already patched, so running the raise again continues.",
                    endpoint.Text, OperationName);
            }

            await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private List<OperationStep> Steps(IReadOnlyList<QuotaRaiseMemberPlan> members, ClusterView view)
    {
        var steps = new List<OperationStep>();
        void Add(string description, string command) => steps.Add(new OperationStep { Number = steps.Count + 1, Description = description, EquivalentCommand = command });
        var all = string.Join(',', view.Members.Where(m => m.Endpoint is not null).Select(m => m.Endpoint!.Text));
        Add("Check that every voting member answers and is healthy (never more than one member down).", $"etcdctl --endpoints={all} endpoint health");
        foreach (var member in members)
        {
            var endpoint = view.Find(member.MemberId)?.Endpoint?.Text ?? all;
            if (!member.AlreadySet)
            {
                Add($"Patch {member.ManifestPath} on {member.Host}: --quota-backend-bytes={_options.NewQuota} (backup kept outside the manifests directory).",
                    $"sed -i 's/--quota-backend-bytes=[0-9]*/--quota-backend-bytes={_options.NewQuota}/' {member.ManifestPath}");
            }

            Add($"Let {member.Member}{(member.IsLeader ? " (the leader, last)" : string.Empty)} restart with the new quota and wait until it is healthy and caught up.",
                $"etcdctl --endpoints={endpoint} endpoint health && etcdctl --endpoints={all} endpoint status -w table");
        }

        return steps;
    }
}
