using System.Globalization;

namespace EtcdMaintenance;

/// <summary>
/// The one check that every change goes through: all configured endpoints that answer belong to one cluster (the cluster
/// ID in each answer's header). Endpoints that do not answer are left to the call itself; reads report per endpoint.
/// </summary>
internal static class ClusterIdentity
{
    /// <summary>Asks every configured endpoint (and <paramref name="target"/>, when it is not one of them) for its status and checks the cluster IDs.</summary>
    /// <returns>The cluster ID, or <see langword="null"/> when no endpoint answered.</returns>
    /// <exception cref="EtcdClusterMismatchException">The endpoints answer for more than one cluster.</exception>
    public static async Task<ulong?> EnsureAsync(IEtcdMaintenanceClient client, string operation, EtcdEndpoint? target, CancellationToken cancellationToken)
    {
        var status = await client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        EndpointStatus? extra = null;
        if (target is not null && !status.Endpoints.Any(e => e.Endpoint.Equals(target)))
        {
            try
            {
                extra = await client.GetStatusAsync(target, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException)
            {
                // The call to the target reports its own error.
            }
        }

        var clusterId = Ensure(status, operation, extra);
        if (target is null)
        {
            EnsureQuorumSeen(status, operation);
        }

        return clusterId;
    }

    /// <summary>
    /// Refuses a cluster-wide change up front when most configured endpoints do not answer and those that do (at least one)
    /// know no leader: the cluster has lost quorum, and the change would only wait out its deadline. (During an ordinary
    /// election most members answer, so this never refuses one.)
    /// </summary>
    /// <exception cref="EtcdUnhealthyClusterException">Quorum is lost as far as the configured endpoints show.</exception>
    private static void EnsureQuorumSeen(ClusterStatus status, string operation)
    {
        var total = status.Endpoints.Count;
        var answering = status.Reachable;
        if (answering.Count == 0 || answering.Count > total / 2 || answering.Any(s => !s.Leader.IsNone))
        {
            // When nothing answers, nothing is known (the endpoints may refuse this client: wrong certificates or
            // password): the call itself reports why.
            return;
        }

        var down = string.Join(", ", status.Unreachable.Select(e => e.Endpoint.Text));
        var message = $"{operation} refused: only {answering.Count} of {total} endpoints answer ({down} do{(status.Unreachable.Count == 1 ? "es" : "")} not) " +
            "and none of those that do knows a leader: the cluster has lost quorum. Nothing was changed: " +
            "bring the stopped members back (or, if they are lost for good, restore the cluster from a snapshot), then try again.";
        throw new EtcdUnhealthyClusterException(message, answering[0].Endpoint, operation, EtcdStatusCode.Unavailable, null);
    }

    /// <summary>Checks that the answering endpoints of <paramref name="status"/> (and <paramref name="extra"/>) report one cluster ID.</summary>
    /// <param name="status">The configured endpoints' statuses.</param>
    /// <param name="operation">The operation, for the message.</param>
    /// <param name="extra">The status of an endpoint the change goes to that is not configured, if any.</param>
    /// <param name="exempt">
    /// Endpoints left out of the check: the member a replacement is about to wipe, which may serve another cluster's data
    /// (that is why it is replaced).
    /// </param>
    /// <returns>The cluster ID, or <see langword="null"/> when no endpoint answered.</returns>
    /// <exception cref="EtcdClusterMismatchException">The endpoints answer for more than one cluster.</exception>
    public static ulong? Ensure(ClusterStatus status, string operation, EndpointStatus? extra = null, IReadOnlyCollection<EtcdEndpoint>? exempt = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        var answers = status.Endpoints.Where(e => e.Status?.Header is not null && exempt?.Contains(e.Endpoint) != true).Select(e => e.Status!).ToList();
        if (extra?.Header is not null)
        {
            answers.Add(extra);
        }

        var groups = answers.GroupBy(s => s.Header!.ClusterId).OrderByDescending(g => g.Count()).ToList();
        if (groups.Count <= 1)
        {
            return groups.Count == 0 ? null : groups[0].Key;
        }

        ulong? majority = groups[0].Count() > groups[1].Count() ? groups[0].Key : null;
        var stray = answers.Where(s => s.Header!.ClusterId != majority).Select(s => s.Endpoint).ToList();
        var byEndpoint = new Dictionary<string, ulong>(StringComparer.Ordinal);
        foreach (var answer in answers)
        {
            byEndpoint[answer.Endpoint] = answer.Header!.ClusterId;
        }

        string Group(IGrouping<ulong, EndpointStatus> g) => $"{string.Join(", ", g.Select(s => s.Endpoint))} (cluster {Hex(g.Key)})";
        var message = majority is { } id
            ? $"{operation} refused: the endpoints belong to different clusters: {string.Join("; ", groups.Skip(1).Select(Group))} " +
              $"{(stray.Count == 1 ? "is" : "are")} not in cluster {Hex(id)} of {string.Join(", ", groups[0].Select(s => s.Endpoint))}. " +
              "Nothing was changed: leave the stray endpoint(s) out and try again."
            : $"{operation} refused: the endpoints belong to different clusters and none has a majority: {string.Join("; ", groups.Select(Group))}. " +
              "Nothing was changed: give the endpoints of one cluster only.";
        throw new EtcdClusterMismatchException(message, operation, majority, byEndpoint, stray);
    }

    private static string Hex(ulong id) => id.ToString("x", CultureInfo.InvariantCulture);
}
