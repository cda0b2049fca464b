namespace EtcdMaintenance.Operations;

/// <summary>One member as an operation sees it: its entry in the member list, the endpoint to reach it, and its status.</summary>
/// <param name="Member">The member-list entry.</param>
/// <param name="Endpoint">The endpoint it answers on (a configured endpoint that reported its ID, else its first client URL).</param>
/// <param name="Status">Its status, when it answered.</param>
/// <param name="Error">Why it did not answer.</param>
internal sealed record MemberView(EtcdMember Member, EtcdEndpoint? Endpoint, EndpointStatus? Status, EtcdException? Error)
{
    /// <summary>The member's name, or its hex ID while it has not started.</summary>
    public string DisplayName => Member.IsStarted ? Member.Name : Member.Id.ToString();

    /// <summary>Whether it answered status.</summary>
    public bool IsReachable => Status is not null;
}

/// <summary>The members and their statuses, gathered once at the start of an operation step.</summary>
/// <param name="Members">Every member, in member-list order.</param>
/// <param name="Alarms">The active alarms.</param>
internal sealed record ClusterView(IReadOnlyList<MemberView> Members, IReadOnlyList<EtcdAlarm> Alarms)
{
    /// <summary>The voting members.</summary>
    public IReadOnlyList<MemberView> Voters => [.. Members.Where(m => !m.Member.IsLearner)];

    /// <summary>The leader, when a reachable member leads.</summary>
    public MemberView? Leader => Members.FirstOrDefault(m => m.Status is { IsLeader: true });

    /// <summary>The highest revision any member reported.</summary>
    public long MaxRevision => Members.Select(m => m.Status?.Revision ?? 0).DefaultIfEmpty(0).Max();

    /// <summary>Finds a member by ID.</summary>
    public MemberView? Find(MemberId id) => Members.FirstOrDefault(m => m.Member.Id == id);

    /// <summary>Reads the member list, every member's status (in parallel) and the alarms.</summary>
    /// <exception cref="EtcdClusterMismatchException">The configured endpoints answer for more than one cluster.</exception>
    public static Task<ClusterView> LoadAsync(IEtcdMaintenanceClient client, CancellationToken cancellationToken = default) =>
        LoadAsync(client, nameof(ClusterView), cancellationToken);

    /// <summary>Reads the view for <paramref name="operation"/>, refusing endpoints of more than one cluster.</summary>
    internal static async Task<ClusterView> LoadAsync(IEtcdMaintenanceClient client, string operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var configured = await client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        ClusterIdentity.Ensure(configured, operation);
        var members = await client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
        var useTls = client.Endpoints.Any(e => e.UsesTls);
        var views = await Task.WhenAll(members.Members.Select(async member =>
        {
            if (configured.Reachable.FirstOrDefault(s => s.MemberId == member.Id) is { } known)
            {
                return new MemberView(member, configured.Endpoints.First(e => e.Status == known).Endpoint, known, null);
            }

            if (member.ClientUrls.Count == 0 || !EtcdEndpoint.TryParse(member.ClientUrls[0], useTls, out var endpoint, out _))
            {
                var reason = EtcdErrors.FromStatus(null, "Maintenance.Status", EtcdStatusCode.Unavailable,
                    $"member {member.Id} has not started (it has no client URL yet)");
                return new MemberView(member, null, null, reason);
            }

            // A configured endpoint that did not answer is reported with its own error.
            var configuredEntry = configured.Endpoints.FirstOrDefault(e => e.Endpoint.Equals(endpoint));
            if (configuredEntry is { Error: { } error })
            {
                return new MemberView(member, endpoint, null, error);
            }

            try
            {
                return new MemberView(member, endpoint, await client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false), null);
            }
            catch (EtcdException ex)
            {
                return new MemberView(member, endpoint, null, ex);
            }
        })).ConfigureAwait(false);
        var alarms = await client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        return new ClusterView(views, alarms);
    }
}
