using System.Text.Json;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Raises <c>--quota-backend-bytes</c> across the cluster, one member at a time: patch its manifest (backup, atomic
/// write), let it restart (kubelet restarts a static pod by itself; a local process is restarted), wait until it is
/// healthy and caught up, then the next. Never more than one member down: it refuses to start, and stops, when
/// any other voting member does not answer. Refuses a quota below the current DB size and, unless forced, above 8 GiB.
/// <see cref="PlanAsync"/> is the dry run; <see cref="StartAsync"/> runs that plan through a handle, and
/// <see cref="ResumeAsync"/> continues it from its checkpoint. Running it again continues too: manifests already patched,
/// and members already reporting the new quota, are recognised.
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
    public async Task<QuotaRaisePlan> PlanAsync(CancellationToken cancellationToken = default) =>
        await BuildPlanAsync(await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    private async Task<QuotaRaisePlan> BuildPlanAsync(ClusterView view, CancellationToken cancellationToken)
    {
        QuotaRaiseRun.EnsureAllVotersAnswer(view, null);
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
            var already = QuotaRaiseRun.HasQuota(manifest, _options.NewQuota);
            var edited = already ? manifest : QuotaRaiseRun.WithQuota(manifest, _options.NewQuota, _options.Force, view);
            members.Add(new QuotaRaiseMemberPlan
            {
                Host = host.Name,
                ManifestPath = host.ManifestPath,
                Member = member.DisplayName,
                MemberId = member.Member.Id,
                IsLeader = member.Status?.IsLeader == true,
                CurrentQuota = current,
                AlreadySet = already,
                Diff = already ? string.Empty : edited.GetDiff(),
                Notices = edited.Notices,
            });
        }

        var plan = new QuotaRaisePlan { NewQuota = _options.NewQuota, Members = [.. members.OrderBy(m => m.IsLeader)] };
        var run = new QuotaRaiseRun(_client, _hosts, _options, view, plan, new ProgressFeed<QuotaRaiseProgress>(), _logger, _timeProvider);
        return plan with { Steps = [.. QuotaRaiseStepList.For(plan).Select((step, i) => step.Describe(run, i + 1))] };
    }

    /// <summary>Plans (as <see cref="PlanAsync"/>) and runs that plan to the end. Cancellation stops it at the next safe point.</summary>
    /// <exception cref="EtcdSafetyCheckException">A check refused, or a member did not come back (the message says which and how to go on).</exception>
    /// <exception cref="ManifestException">A manifest could not be read or patched; that file is untouched.</exception>
    /// <exception cref="OperationCanceledException">Cancelled at a safe point.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ by a required first parameter (the plan), so no call can be ambiguous.")]
    public async Task<QuotaRaiseReport> ExecuteAsync(IProgress<QuotaRaiseProgress>? progress = null, CancellationToken cancellationToken = default) =>
        await (await StartAsync(await PlanAsync(cancellationToken).ConfigureAwait(false), progress, null, cancellationToken).ConfigureAwait(false)).WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>Runs the plan the caller saw (as <see cref="StartAsync"/>) to the end.</summary>
    /// <param name="plan">The plan <see cref="PlanAsync"/> returned.</param>
    /// <param name="progress">Receives every stage.</param>
    /// <param name="cancellationToken">Stops the run at the next safe point.</param>
    /// <exception cref="EtcdSafetyCheckException">A check refused, the cluster changed since the plan, or a member did not come back.</exception>
    /// <exception cref="ManifestException">A manifest could not be read or patched; that file is untouched.</exception>
    /// <exception cref="OperationCanceledException">Cancelled at a safe point.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026", Justification = "The overloads differ by a required first parameter (the plan), so no call can be ambiguous.")]
    public async Task<QuotaRaiseReport> ExecuteAsync(QuotaRaisePlan plan, IProgress<QuotaRaiseProgress>? progress = null, CancellationToken cancellationToken = default) =>
        await (await StartAsync(plan, progress, null, cancellationToken).ConfigureAwait(false)).WaitForCompletionAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>
    /// Starts the plan the caller saw (from <see cref="PlanAsync"/>): its members in its order, exactly its
    /// <see cref="QuotaRaisePlan.Steps"/>. The checks of the plan run again first (every voting member answers, the binaries,
    /// the quota against the DB size), and the start is refused, before any change, when the cluster changed since the plan
    /// (other members or hosts, another leader) or the plan's quota is not these options' quota: plan again then. No step
    /// runs until the handle is asked to.
    /// </summary>
    /// <param name="plan">The plan <see cref="PlanAsync"/> returned.</param>
    /// <param name="progress">Receives every stage, synchronously, from the thread running the step.</param>
    /// <param name="checkpointPath">Where to write the checkpoint (owner-only) after every step, to resume with <see cref="ResumeAsync"/>; <see langword="null"/>: kept in memory only.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="EtcdSafetyCheckException">The checks refused to start, or the cluster changed since the plan; nothing was changed.</exception>
    /// <exception cref="ManifestException">A manifest cannot be read, or the quota is refused.</exception>
    public async Task<EtcdOperation<QuotaRaiseReport, QuotaRaiseProgress>> StartAsync(
        QuotaRaisePlan plan, IProgress<QuotaRaiseProgress>? progress = null, string? checkpointPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(plan);
        var now = _timeProvider.GetUtcNow();
        var checkpoint = new OperationCheckpoint
        {
            OperationId = $"quota-raise-{now:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}",
            Kind = OperationName,
            Plan = JsonSerializer.SerializeToElement(plan, OperationJsonContext.Default.QuotaRaisePlan),
            Steps = plan.Steps,
            StepNames = [.. QuotaRaiseStepList.For(plan).Select(s => s.Name)],
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await OpenAsync(plan, checkpoint, progress, checkpointPath, resuming: false, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Resumes a quota raise from its checkpoint (<see cref="OperationCheckpoint.ReadAsync"/>): the same plan, its completed
    /// steps skipped, and a member found done (its flag file has the new quota and it reports it) skipped too. Refused when
    /// the members or hosts changed since (the leader may differ: restarts move it).
    /// </summary>
    /// <param name="checkpoint">The checkpoint a run wrote or <see cref="EtcdOperation{TResult, TProgress}.GetCheckpoint"/> returned.</param>
    /// <param name="progress">Receives every stage.</param>
    /// <param name="checkpointPath">Where to go on writing the checkpoint, if anywhere.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="InvalidDataException">The checkpoint is not a quota raise's.</exception>
    /// <exception cref="EtcdSafetyCheckException">The checks refused, or the members changed since the plan.</exception>
    /// <exception cref="ManifestException">A manifest cannot be read, or the quota is refused.</exception>
    public async Task<EtcdOperation<QuotaRaiseReport, QuotaRaiseProgress>> ResumeAsync(
        OperationCheckpoint checkpoint, IProgress<QuotaRaiseProgress>? progress = null, string? checkpointPath = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(checkpoint);
        var plan = checkpoint is { Kind: OperationName, Plan: { } json } ? json.Deserialize(OperationJsonContext.Default.QuotaRaisePlan) : null;
        return await OpenAsync(
            plan ?? throw new InvalidDataException($"The checkpoint {checkpoint.OperationId} is a {checkpoint.Kind} checkpoint without a quota-raise plan."),
            checkpoint, progress, checkpointPath, resuming: true, cancellationToken).ConfigureAwait(false);
    }

    private async Task<EtcdOperation<QuotaRaiseReport, QuotaRaiseProgress>> OpenAsync(
        QuotaRaisePlan plan, OperationCheckpoint checkpoint, IProgress<QuotaRaiseProgress>? progress, string? checkpointPath, bool resuming, CancellationToken cancellationToken)
    {
        var feed = new ProgressFeed<QuotaRaiseProgress>(progress);
        var view = await ClusterView.LoadAsync(_client, OperationName, cancellationToken).ConfigureAwait(false);
        var run = new QuotaRaiseRun(_client, _hosts, _options, view, plan, feed, _logger, _timeProvider);
        run.Report(QuotaRaiseStage.Checking, null, $"checking members and {_hosts.Count} manifest(s)");
        if (Drift(plan, await BuildPlanAsync(view, cancellationToken).ConfigureAwait(false), ignoreLeader: resuming) is { } drift)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: the cluster changed since the plan ({drift}). Nothing was changed: plan again and check the new plan.",
                null, OperationName);
        }

        return new StepOperation<QuotaRaiseRun, QuotaRaiseReport, QuotaRaiseProgress>(
            run, QuotaRaiseStepList.For(plan), checkpoint, feed, CompleteAsync, static (_, _, _) => Task.FromResult<QuotaRaiseReport?>(null),
            checkpointPath, _timeProvider, _logger);
    }

    private static async Task<QuotaRaiseReport> CompleteAsync(QuotaRaiseRun run, CancellationToken cancellationToken)
    {
        if (!run.Verified)
        {
            // Resumed after the verify step: the report's alarms and probe write are this run's own.
            await new QuotaVerifyStep().RunAsync(run, cancellationToken).ConfigureAwait(false);
        }

        var report = await run.BuildReportAsync(cancellationToken).ConfigureAwait(false);
        var quota = $"--quota-backend-bytes={report.NewQuota} ({report.NewQuota.ToDisplayString()})";
        run.Report(QuotaRaiseStage.Completed, null, report.Succeeded
            ? $"every member runs with {quota}{(report.AlarmsDisarmed.Count > 0 ? "; NOSPACE disarmed" : string.Empty)}; writes work"
            : $"every member runs with {quota}, but writes still fail: {report.FailureReason}");
        return report;
    }

    /// <summary>What changed between the plan the caller saw and the plan now, in the ways that make it unsafe to run; <see langword="null"/> when nothing did.</summary>
    private string? Drift(QuotaRaisePlan seen, QuotaRaisePlan now, bool ignoreLeader)
    {
        var changes = new List<string>();
        if (seen.NewQuota != _options.NewQuota)
        {
            changes.Add($"the plan sets {seen.NewQuota}, these options {_options.NewQuota}");
        }

        static string Members(QuotaRaisePlan plan) => string.Join(", ", plan.Members.Select(m => $"{m.Member} ({m.Host}:{m.ManifestPath})").Order(StringComparer.Ordinal));
        if (Members(seen) != Members(now) || !seen.Members.Select(m => m.MemberId).ToHashSet().SetEquals(now.Members.Select(m => m.MemberId)))
        {
            changes.Add($"the members were {Members(seen)}, they are {Members(now)}");
        }

        var seenLeader = seen.Members.FirstOrDefault(m => m.IsLeader);
        var nowLeader = now.Members.FirstOrDefault(m => m.IsLeader);
        if (!ignoreLeader && seenLeader?.MemberId != nowLeader?.MemberId)
        {
            changes.Add($"the leader was {seenLeader?.Member ?? "none of them"}, it is {nowLeader?.Member ?? "none of them"}");
        }

        return changes.Count == 0 ? null : string.Join("; ", changes);
    }
}
