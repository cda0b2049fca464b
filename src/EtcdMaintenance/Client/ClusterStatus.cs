using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance;

/// <summary>The outcome of asking one endpoint for its status: the status, or the error that endpoint gave.</summary>
public sealed record EndpointStatusResult
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="endpoint">The endpoint asked.</param>
    /// <param name="status">Its status, when it answered.</param>
    /// <param name="error">Why it did not, when it did not (the etcdctl ERRORS column's counterpart).</param>
    public EndpointStatusResult(EtcdEndpoint endpoint, EndpointStatus? status, EtcdException? error)
    {
        Endpoint = endpoint;
        Status = status;
        Error = error;
    }

    /// <summary>The endpoint asked.</summary>
    public EtcdEndpoint Endpoint { get; init; }

    /// <summary>Its status, when it answered.</summary>
    public EndpointStatus? Status { get; init; }

    /// <summary>Why it did not, when it did not (the etcdctl ERRORS column's counterpart).</summary>
    public EtcdException? Error { get; init; }

    /// <summary>Whether the endpoint answered (<see cref="Status"/> is then not <see langword="null"/>).</summary>
    [MemberNotNullWhen(true, nameof(Status))]
    public bool Succeeded => Status is not null;
}

/// <summary>
/// The status of every configured endpoint, asked in parallel (<c>etcdctl endpoint status --cluster</c>).
/// An unreachable member is an entry with an error; the others are still reported.
/// </summary>
public sealed record ClusterStatus
{
    /// <summary>Creates a cluster status from one entry per endpoint.</summary>
    /// <param name="endpoints">One entry per endpoint, in the configured order.</param>
    public ClusterStatus(IReadOnlyList<EndpointStatusResult> endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        Endpoints = endpoints;
        Reachable = [.. endpoints.Where(e => e.Status is not null).Select(e => e.Status!)];
        Unreachable = [.. endpoints.Where(e => e.Status is null)];
        Leader = Reachable.FirstOrDefault(s => s.IsLeader);
        MaxRevision = Reachable.Select(s => s.Revision).Max();
    }

    /// <summary>One entry per endpoint, in the configured order.</summary>
    public IReadOnlyList<EndpointStatusResult> Endpoints { get; }

    /// <summary>The statuses of the endpoints that answered.</summary>
    public IReadOnlyList<EndpointStatus> Reachable { get; }

    /// <summary>The endpoints that did not answer, with their errors.</summary>
    public IReadOnlyList<EndpointStatusResult> Unreachable { get; }

    /// <summary>The leader's status, when the leader answered.</summary>
    public EndpointStatus? Leader { get; }

    /// <summary>The highest revision reported: the revision to compact at.</summary>
    public long? MaxRevision { get; }
}
