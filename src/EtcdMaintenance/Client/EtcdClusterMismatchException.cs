namespace EtcdMaintenance;

/// <summary>
/// A change was refused because the configured endpoints answer for more than one etcd cluster (the cluster ID in each
/// answer's header differs): acting on "the cluster" would act on whichever endpoint answered first. Nothing was changed.
/// Leave the stray endpoints out and try again.
/// </summary>
public sealed class EtcdClusterMismatchException : EtcdException
{
    /// <summary>Creates the error with a default message and no cluster IDs.</summary>
    public EtcdClusterMismatchException()
        : this("The configured endpoints answer for more than one etcd cluster.")
    {
    }

    /// <summary>Creates the error with a message and no cluster IDs.</summary>
    /// <param name="message">What went wrong.</param>
    public EtcdClusterMismatchException(string message)
        : this(message, null)
    {
    }

    /// <summary>Creates the error with a message, its cause and no cluster IDs.</summary>
    /// <param name="message">What went wrong.</param>
    /// <param name="innerException">The cause.</param>
    public EtcdClusterMismatchException(string message, Exception? innerException)
        : base(message, null, string.Empty, EtcdStatusCode.FailedPrecondition, EtcdErrorCode.SafetyCheckRefused, null, innerException)
    {
        EndpointClusterIds = new Dictionary<string, ulong>();
        StrayEndpoints = [];
    }

    /// <summary>Creates the error. The library raises it; this is public so that callers can fake it in tests.</summary>
    /// <param name="message">The message, naming the stray endpoints and the cluster IDs.</param>
    /// <param name="operation">The operation that was refused.</param>
    /// <param name="clusterId">The cluster ID most endpoints answer for, or <see langword="null"/> when no cluster has more endpoints than the others.</param>
    /// <param name="endpointClusterIds">The cluster ID each answering endpoint reported, in the configured order.</param>
    /// <param name="strayEndpoints">The endpoints that answer for another cluster than <paramref name="clusterId"/> (every answering endpoint when it is <see langword="null"/>).</param>
    public EtcdClusterMismatchException(string message, string operation, ulong? clusterId, IReadOnlyDictionary<string, ulong> endpointClusterIds, IReadOnlyList<string> strayEndpoints)
        : base(message, strayEndpoints.Count > 0 ? strayEndpoints[0] : null, operation, EtcdStatusCode.FailedPrecondition, EtcdErrorCode.SafetyCheckRefused, null)
    {
        ClusterId = clusterId;
        EndpointClusterIds = endpointClusterIds;
        StrayEndpoints = strayEndpoints;
    }

    /// <summary>The cluster ID most answering endpoints report, or <see langword="null"/> when no cluster has a majority of them.</summary>
    public ulong? ClusterId { get; }

    /// <summary>The cluster ID each answering endpoint reported, keyed by endpoint.</summary>
    public IReadOnlyDictionary<string, ulong> EndpointClusterIds { get; }

    /// <summary>The endpoints outside <see cref="ClusterId"/>'s cluster (every answering endpoint when there is no majority).</summary>
    public IReadOnlyList<string> StrayEndpoints { get; }
}
