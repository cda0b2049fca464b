namespace EtcdMaintenance.Operations;

/// <summary>
/// Lets one member restart with its patched flag file (kubelet restarts a static pod by itself; other hosts are told to
/// apply it) and waits until it is healthy and caught up with the leader before the next member.
/// </summary>
internal sealed class RestartMemberStep(QuotaRaiseMemberPlan member) : IOperationStep<QuotaRaiseRun>
{
    public string Name => $"restart-{member.MemberId}";

    public OperationStep Describe(QuotaRaiseRun context, int number) => new OperationStep
    {
        Number = number,
        Description = $"Let {member.Member}{(member.IsLeader ? " (the leader, last)" : string.Empty)} restart with the new quota and wait until it is healthy and caught up.",
        EquivalentCommand = $"etcdctl --endpoints={context.View.Find(member.MemberId)?.Endpoint?.Text ?? context.AllEndpoints} endpoint health && etcdctl --endpoints={context.AllEndpoints} endpoint status -w table",
    };

    /// <summary>Done when the flag file has the new quota, the member reports it (read from the member, not configured), and it is back and caught up.</summary>
    public async ValueTask<bool> IsDoneAsync(QuotaRaiseRun context, CancellationToken cancellationToken)
    {
        if (!await context.ManifestHasNewQuotaAsync(context.HostOf(member), cancellationToken).ConfigureAwait(false)
            || context.View.Find(member.MemberId)?.Endpoint is not { } endpoint)
        {
            return false;
        }

        context.Client.ForgetMemberQuota(endpoint);
        EndpointStatus status;
        try
        {
            status = await context.Client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            return false;
        }

        if (status.QuotaSource is not (EtcdQuotaSource.StatusResponse or EtcdQuotaSource.Metrics) || status.DbSizeQuota != context.Plan.NewQuota.EffectiveBytes)
        {
            return false;
        }

        await WaitUntilBackAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
        context.Report(QuotaRaiseStage.Skipped, member.Member, $"{member.Member} already runs with {context.Plan.NewQuota.ToDisplayString()}, healthy and caught up");
        context.Members[member.MemberId] = new QuotaRaiseMemberReport { Member = member.Member, ReportedQuota = status.DbSizeQuota };
        return true;
    }

    public async Task RunAsync(QuotaRaiseRun context, CancellationToken cancellationToken)
    {
        var host = context.HostOf(member);
        var patchedNow = context.Backups.ContainsKey(member.MemberId);
        if (host.RestartsOnManifestChange && !patchedNow)
        {
            // Kubelet restarted it when its manifest got the quota, before this run: nothing to observe.
            var now = await context.LoadViewAsync(member.MemberId, cancellationToken).ConfigureAwait(false);
            context.Report(QuotaRaiseStage.Skipped, member.Member, $"{member.Member}: the manifest already has {context.Plan.NewQuota.ToDisplayString()}");
            context.Members[member.MemberId] = new QuotaRaiseMemberReport { Member = member.Member, ReportedQuota = now.Find(member.MemberId)?.Status?.DbSizeQuota };
            return;
        }

        // Kubelet may be restarting the member already (its manifest was just patched, after the others were checked): the
        // view taken before the patch gives its endpoint. Any other host restarts it below: check the others first.
        var view = host.RestartsOnManifestChange ? context.View : await context.LoadViewAsync(member.MemberId, cancellationToken).ConfigureAwait(false);
        var endpoint = view.Find(member.MemberId)?.Endpoint ?? throw new EtcdSafetyCheckException(
            $"{QuotaRaiseRun.OperationName}: member {member.Member} has no client URL to check it by.", null, QuotaRaiseRun.OperationName);
        context.Report(QuotaRaiseStage.Restarting, member.Member, $"restarting {member.Member}");
        if (host.RestartsOnManifestChange)
        {
            await WaitUntilDownAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
        }
        else
        {
            await host.ApplyManifestAsync(cancellationToken).ConfigureAwait(false);
        }

        await WaitUntilBackAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
        context.Client.ForgetMemberQuota(endpoint);   // it restarted with the new quota: read it again
        var status = await context.Client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
        context.Report(QuotaRaiseStage.MemberBack, member.Member, $"{member.Member} is back, healthy and caught up (quota {SpaceRecovery.Size(status.DbSizeQuota)})");
        context.Members[member.MemberId] = new QuotaRaiseMemberReport
        {
            Member = member.Member,
            Restarted = true,
            BackupPath = context.Backups.GetValueOrDefault(member.MemberId),
            ReportedQuota = status.DbSizeQuota,
        };
    }

    private async Task WaitUntilBackAsync(QuotaRaiseRun context, EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        var leaderIndex = await LeaderIndexExceptAsync(context, endpoint, cancellationToken).ConfigureAwait(false);
        await MemberReadiness.WaitUntilBackAsync(context.Client, endpoint, leaderIndex, QuotaRaiseRun.OperationName, context.Options.MemberRestartTimeout,
            context.Options.PollInterval, context.TimeProvider, cancellationToken, waitThroughRestarts: true).ConfigureAwait(false);
    }

    private async Task<ulong> LeaderIndexExceptAsync(QuotaRaiseRun context, EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        // While the member restarts the others elect or keep a leader; take its index as the catch-up target.
        var started = context.TimeProvider.GetTimestamp();
        while (true)
        {
            var cluster = await context.Client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
            if (cluster.Reachable.FirstOrDefault(s => s.IsLeader && s.MemberId != member.MemberId) is { } leader)
            {
                return leader.RaftIndex;
            }

            if (cluster.Reachable.Any(s => s.IsLeader) || context.TimeProvider.GetElapsedTime(started) >= context.Options.MemberRestartTimeout)
            {
                return await MemberReadiness.LeaderIndexAsync(context.Client, endpoint, cancellationToken).ConfigureAwait(false);
            }

            await Task.Delay(context.Options.PollInterval, context.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitUntilDownAsync(QuotaRaiseRun context, EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        var started = context.TimeProvider.GetTimestamp();
        while (true)
        {
            try
            {
                await context.Client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdUnavailableException)
            {
                return;
            }

            if (context.TimeProvider.GetElapsedTime(started) >= context.Options.RestartObservationTimeout)
            {
                throw new EtcdSafetyCheckException(
                    $"{QuotaRaiseRun.OperationName}: {member.Member} did not restart within {EtcdErrors.Format(context.Options.RestartObservationTimeout)} of its manifest change. Check that kubelet is running on its node; the manifest is already patched, so running the raise again continues.",
                    endpoint.Text, QuotaRaiseRun.OperationName);
            }

            await Task.Delay(context.Options.PollInterval, context.TimeProvider, cancellationToken).ConfigureAwait(false);
        }
    }
}
