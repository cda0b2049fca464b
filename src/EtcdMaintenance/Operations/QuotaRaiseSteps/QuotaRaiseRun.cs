using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>The state a quota raise's steps share: the cluster, the hosts, the plan, and what the run did so far.</summary>
internal sealed class QuotaRaiseRun(
    IEtcdMaintenanceClient client, IReadOnlyList<IEtcdMemberHost> hosts, QuotaRaiseOptions options, ClusterView view, QuotaRaisePlan plan,
    ProgressFeed<QuotaRaiseProgress> feed, ILogger logger, TimeProvider timeProvider)
{
    public const string OperationName = "QuotaRaise";

    private readonly long _started = timeProvider.GetTimestamp();

    public IEtcdMaintenanceClient Client => client;

    public QuotaRaiseOptions Options => options;

    /// <summary>The cluster when the run was opened (for the etcdctl equivalents).</summary>
    public ClusterView View => view;

    public QuotaRaisePlan Plan => plan;

    public TimeProvider TimeProvider => timeProvider;

    public TimeSpan Elapsed => timeProvider.GetElapsedTime(_started);

    /// <summary>The endpoints of every member, comma-separated (for the etcdctl equivalents).</summary>
    public string AllEndpoints => string.Join(',', view.Members.Where(m => m.Endpoint is not null).Select(m => m.Endpoint!.Text));

    /// <summary>The manifest backups written by this run, by member.</summary>
    public Dictionary<MemberId, string?> Backups { get; } = [];

    /// <summary>The members' outcomes in this run, by member.</summary>
    public Dictionary<MemberId, QuotaRaiseMemberReport> Members { get; } = [];

    public IReadOnlyList<EtcdAlarm> AlarmsDisarmed { get; set; } = [];

    /// <summary>Why NOSPACE was kept, when it was.</summary>
    public string? AlarmNote { get; set; }

    public IReadOnlyList<EtcdAlarm> AlarmsRemaining { get; set; } = [];

    /// <summary>Whether this run verified (a run resumed after its verify step did not).</summary>
    public bool Verified { get; set; }

    public bool ProbeWriteSucceeded { get; set; }

    public string? FailureReason { get; set; }

    public void Report(QuotaRaiseStage stage, string? member, string message)
    {
        OperationsLog.QuotaRaiseProgress(logger, stage, member ?? "-", message);
        feed.Publish(new QuotaRaiseProgress { Stage = stage, Member = member, Message = message, Elapsed = Elapsed });
    }

    /// <summary>The host that runs <paramref name="member"/>, as the plan names it.</summary>
    public IEtcdMemberHost HostOf(QuotaRaiseMemberPlan member) =>
        hosts.FirstOrDefault(h => h.Name == member.Host && h.ManifestPath == member.ManifestPath) ?? throw new EtcdSafetyCheckException(
            $"{OperationName}: no member host given is {member.Host} with {member.ManifestPath}, which the plan names for {member.Member}. Give the same hosts as for the plan.",
            null, OperationName);

    /// <summary>The cluster now, refused when a voting member other than <paramref name="except"/> does not answer.</summary>
    public async Task<ClusterView> LoadViewAsync(MemberId? except, CancellationToken cancellationToken)
    {
        var now = await ClusterView.LoadAsync(client, OperationName, cancellationToken).ConfigureAwait(false);
        EnsureAllVotersAnswer(now, except);
        return now;
    }

    public static void EnsureAllVotersAnswer(ClusterView view, MemberId? except)
    {
        if (view.Voters.FirstOrDefault(m => !m.IsReachable && m.Member.Id != except) is { } down)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} refused: {down.DisplayName} does not answer ({down.Error?.Message}). Restarting another member now could cost quorum; bring {down.DisplayName} back first, then run the raise again (members already patched are recognised).",
                down.Endpoint?.Text, OperationName);
        }
    }

    /// <summary>The flag file with <paramref name="quota"/>, refused below the largest member's DB size and, unless forced, above 8 GiB.</summary>
    /// <exception cref="ManifestException">The quota is refused.</exception>
    public static EtcdFlagFile WithQuota(EtcdFlagFile manifest, QuotaBackendBytes quota, bool force, ClusterView now) =>
        manifest.SetQuotaBackendBytes(quota, new QuotaChangeOptions { CurrentDatabaseSize = now.Members.Select(m => m.Status?.DbSize ?? 0).Max(), Force = force });

    /// <summary>Whether the flag file already sets <paramref name="quota"/>.</summary>
    public static bool HasQuota(EtcdFlagFile manifest, QuotaBackendBytes quota) => manifest.GetQuotaBackendBytes() is { } set && set.EffectiveBytes == quota.EffectiveBytes;

    public EtcdFlagFile WithNewQuota(EtcdFlagFile manifest, ClusterView now) => WithQuota(manifest, plan.NewQuota, options.Force, now);

    /// <summary>Whether the flag file of <paramref name="host"/> already sets the new quota.</summary>
    public async Task<bool> ManifestHasNewQuotaAsync(IEtcdMemberHost host, CancellationToken cancellationToken) =>
        HasQuota(await host.LoadManifestAsync(cancellationToken).ConfigureAwait(false), plan.NewQuota);

    // A member whose quota cannot be read now runs with the quota this raise set.
    public EndpointStatus WithNewQuota(EndpointStatus status) => status.DbSizeQuota is null
        ? status with { DbSizeQuota = plan.NewQuota.EffectiveBytes, QuotaSource = EtcdQuotaSource.Configured, QuotaUnavailableReason = null }
        : status;

    /// <summary>The report: every member of the plan in its order, those this run did not reach read as they are now.</summary>
    public async Task<QuotaRaiseReport> BuildReportAsync(CancellationToken cancellationToken)
    {
        var members = new List<QuotaRaiseMemberReport>();
        foreach (var member in plan.Members)
        {
            members.Add(Members.TryGetValue(member.MemberId, out var done) ? done
                : new QuotaRaiseMemberReport { Member = member.Member, ReportedQuota = await ReportedQuotaAsync(member.MemberId, cancellationToken).ConfigureAwait(false) });
        }

        return new QuotaRaiseReport
        {
            NewQuota = plan.NewQuota,
            Members = members,
            Elapsed = Elapsed,
            AlarmsDisarmed = AlarmsDisarmed,
            AlarmsRemaining = AlarmsRemaining,
            FailureReason = FailureReason,
            ProbeWriteSucceeded = ProbeWriteSucceeded,
        };
    }

    /// <summary>The quota the member reports now, read afresh (it may have restarted since the client last read it); <see langword="null"/> when it cannot be read.</summary>
    public async Task<long?> ReportedQuotaAsync(MemberId member, CancellationToken cancellationToken)
    {
        if (view.Find(member)?.Endpoint is not { } endpoint)
        {
            return null;
        }

        client.ForgetMemberQuota(endpoint);
        try
        {
            return (await client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false)).DbSizeQuota;
        }
        catch (EtcdException)
        {
            return null;
        }
    }
}
