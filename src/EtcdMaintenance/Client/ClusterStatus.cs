namespace EtcdMaintenance;

/// <summary>The outcome of asking one endpoint for its status: the status, or the error that endpoint gave.</summary>
/// <param name="Endpoint">The endpoint asked.</param>
/// <param name="Status">Its status, when it answered.</param>
/// <param name="Error">Why it did not, when it did not (the etcdctl ERRORS column's counterpart).</param>
public sealed record EndpointStatusResult(EtcdEndpoint Endpoint, EndpointStatus? Status, EtcdException? Error)
{
    /// <summary>Whether the endpoint answered.</summary>
    public bool Succeeded => Status is not null;
}

/// <summary>
/// The status of every configured endpoint, asked in parallel (<c>etcdctl endpoint status --cluster</c>).
/// An unreachable member is an entry with an error; the others are still reported.
/// </summary>
/// <param name="Endpoints">One entry per endpoint, in the configured order.</param>
public sealed record ClusterStatus(IReadOnlyList<EndpointStatusResult> Endpoints)
{
    /// <summary>The statuses of the endpoints that answered.</summary>
    public IReadOnlyList<EndpointStatus> Reachable => [.. Endpoints.Where(e => e.Status is not null).Select(e => e.Status!)];

    /// <summary>The endpoints that did not answer, with their errors.</summary>
    public IReadOnlyList<EndpointStatusResult> Unreachable => [.. Endpoints.Where(e => e.Status is null)];

    /// <summary>The leader's status, when the leader answered.</summary>
    public EndpointStatus? Leader => Endpoints.Select(e => e.Status).FirstOrDefault(s => s is { IsLeader: true });

    /// <summary>The highest revision reported: the revision to compact at.</summary>
    public long? MaxRevision => Reachable.Select(s => s.Revision).Max();
}
