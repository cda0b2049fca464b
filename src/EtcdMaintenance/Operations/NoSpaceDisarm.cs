namespace EtcdMaintenance.Operations;

/// <summary>
/// Disarms NOSPACE (never another alarm) once every member is reachable, its quota is known, and its DB size is at most a
/// share of that quota: what space recovery and quota raise both end with.
/// </summary>
internal static class NoSpaceDisarm
{
    /// <summary>The outcome: the alarms disarmed (with the view they were judged on), or why NOSPACE was kept.</summary>
    internal sealed record Outcome(IReadOnlyList<EtcdAlarm> Active, IReadOnlyList<EtcdAlarm> Disarmed, string? Kept, ClusterView View);

    /// <param name="client">The cluster.</param>
    /// <param name="ratio">The share of each member's quota its DB size must be under.</param>
    /// <param name="withQuota">Fills in a quota the status lacks (an operation's own option), or returns the status.</param>
    /// <param name="cancellationToken">Cancels.</param>
    public static async Task<Outcome> DisarmIfUnderAsync(IEtcdMaintenanceClient client, double ratio, Func<EndpointStatus, EndpointStatus> withQuota, CancellationToken cancellationToken)
    {
        var view = await ClusterView.LoadAsync(client, cancellationToken).ConfigureAwait(false);
        var noSpace = view.Alarms.Where(a => a.Type == EtcdAlarmType.NoSpace).ToList();
        if (noSpace.Count == 0)
        {
            return new Outcome([], [], null, view);
        }

        string? keep = null;
        if (view.Members.FirstOrDefault(m => !m.IsReachable) is { } missing)
        {
            keep = $"NOSPACE kept: {missing.DisplayName} could not be checked ({missing.Error?.Message}).";
        }
        else if (view.Members.Select(m => withQuota(m.Status!)).FirstOrDefault(s => s.DbSizeQuota is null) is { } unknown)
        {
            keep = $"NOSPACE kept: the quota of {unknown.Endpoint} is unknown ({unknown.QuotaUnavailableReason ?? "not reported"}): set the operation's QuotaBackendBytes to its --quota-backend-bytes.";
        }
        else if (view.Members.Select(m => (m, Status: withQuota(m.Status!))).FirstOrDefault(x => x.Status.QuotaUsage > ratio) is { m: not null } over)
        {
            keep = $"NOSPACE kept: {over.m.DisplayName} is still at {over.Status.QuotaUsage:P0} of its quota ({SpaceRecovery.Size(over.Status.DbSize)} of {SpaceRecovery.Size(over.Status.DbSizeQuota)}), above {ratio:P0}. " +
                   "Compaction alone never clears NOSPACE (etcd checks the file size) and the alarm survives restarts: delete data, defragment or raise --quota-backend-bytes, then try again.";
        }

        if (keep is not null)
        {
            return new Outcome(noSpace, [], keep, view);
        }

        var disarmed = new List<EtcdAlarm>();
        foreach (var alarm in noSpace)
        {
            disarmed.AddRange(await client.DisarmAlarmAsync(alarm.MemberId, EtcdAlarmType.NoSpace, cancellationToken).ConfigureAwait(false));
        }

        return new Outcome(noSpace, disarmed, null, view);
    }
}
