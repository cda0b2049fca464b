namespace EtcdMaintenance.Parsing;

/// <summary>
/// An endpoint that etcdctl could not get an answer from: an error row in a table, or etcdctl's standard-error line
/// <c>Failed to get the status of endpoint X (error)</c> when standard error was captured too.
/// </summary>
public sealed record EtcdctlEndpointFailure
{
    /// <summary>The endpoint as etcdctl printed it.</summary>
    public required string Endpoint { get; init; }

    /// <summary>etcdctl's error message, e.g. <c>context deadline exceeded</c>.</summary>
    public required string Message { get; init; }
}

/// <summary>
/// Parsed <c>etcdctl endpoint status</c> output: the same <see cref="EndpointStatus"/> records the client returns, the
/// endpoints that failed, and the revision to compact at when the format prints revisions.
/// </summary>
public sealed record EtcdctlStatusOutput
{
    private readonly IReadOnlyList<object> _ordered;

    /// <summary>Creates parsed output (useful in callers' tests): the statuses, then the failures.</summary>
    /// <param name="format">The format the output was in.</param>
    /// <param name="statuses">The statuses of the endpoints that answered.</param>
    /// <param name="failures">The endpoints that failed.</param>
    public EtcdctlStatusOutput(EtcdctlOutputFormat format, IReadOnlyList<EndpointStatus> statuses, IReadOnlyList<EtcdctlEndpointFailure> failures)
        : this(format, [.. (statuses ?? throw new ArgumentNullException(nameof(statuses))).Cast<object>(), .. failures ?? throw new ArgumentNullException(nameof(failures))])
    {
    }

    internal EtcdctlStatusOutput(EtcdctlOutputFormat format, IReadOnlyList<object> ordered)
    {
        Format = format;
        _ordered = ordered;
        Statuses = [.. ordered.OfType<EndpointStatus>()];
        Failures = [.. ordered.OfType<EtcdctlEndpointFailure>()];
    }

    /// <summary>The format the output was in (detected or as stated).</summary>
    public EtcdctlOutputFormat Format { get; }

    /// <summary>
    /// The statuses of the endpoints that answered, in output order. From <c>-w json</c> and <c>-w fields</c> every
    /// value is exact and <see cref="EndpointStatus.Header"/> is set; from <c>-w table</c> and <c>-w simple</c> there is
    /// no header (so no revision), sizes are SI-rounded (<see cref="EndpointStatus.SizesAreApproximate"/>), and
    /// <see cref="EndpointStatus.Leader"/> is inferred: the member whose row says IS LEADER = true, for every row, or
    /// <see cref="MemberId.None"/> when no row says so (<see cref="EndpointStatus.IsLeader"/> is exact either way).
    /// </summary>
    public IReadOnlyList<EndpointStatus> Statuses { get; }

    /// <summary>The endpoints that did not answer (error rows and captured <c>Failed to get the status</c> lines).</summary>
    public IReadOnlyList<EtcdctlEndpointFailure> Failures { get; }

    /// <summary>Whether the format printed the revision (<c>-w json</c> and <c>-w fields</c> do; table and simple do not).</summary>
    public bool HasRevisions => Format is EtcdctlOutputFormat.Json or EtcdctlOutputFormat.Fields;

    /// <summary>
    /// The highest revision reported: the revision to compact at; <see langword="null"/> when the format does not print
    /// revisions or no endpoint answered.
    /// </summary>
    public long? CompactRevision => HasRevisions && Statuses.Count > 0 ? Statuses.Max(s => s.Revision) : null;

    /// <summary>The leader's status, when the leader is among the endpoints that answered.</summary>
    public EndpointStatus? Leader => Statuses.FirstOrDefault(s => s.IsLeader);

    /// <summary>
    /// The output as the client's <see cref="ClusterStatus"/>, entries in output order, so that code written against
    /// <see cref="IEtcdMaintenanceClient.GetClusterStatusAsync"/> runs on etcdctl output too. Failures become
    /// <see cref="EtcdException"/>s classified from etcdctl's message.
    /// </summary>
    /// <exception cref="EtcdctlParseException">An endpoint is not an http(s) URL or <c>host:port</c>.</exception>
    public ClusterStatus ToClusterStatus()
    {
        var entries = new List<EndpointStatusResult>(_ordered.Count);
        foreach (var item in _ordered)
        {
            switch (item)
            {
                case EndpointStatus status:
                    entries.Add(new EndpointStatusResult(ParseEndpoint(status.Endpoint), status, null));
                    break;
                case EtcdctlEndpointFailure failure:
                    var endpoint = ParseEndpoint(failure.Endpoint);
                    entries.Add(new EndpointStatusResult(endpoint, null, EtcdctlErrors.ToException(endpoint.Text, "Maintenance.Status", failure.Message)));
                    break;
            }
        }

        return new ClusterStatus(entries);
    }

    private static EtcdEndpoint ParseEndpoint(string text) =>
        EtcdEndpoint.TryParse(text, useTlsWithoutScheme: false, out var endpoint, out var error)
            ? endpoint
            : throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Malformed, 0, 0, "an endpoint URL or host:port", error));
}

/// <summary>Parsed <c>etcdctl member list</c> output.</summary>
public sealed record EtcdctlMemberList
{
    /// <summary>The format the output was in.</summary>
    public required EtcdctlOutputFormat Format { get; init; }

    /// <summary>The response header; only <c>-w json</c> and <c>-w fields</c> print it.</summary>
    public ResponseHeader? Header { get; init; }

    /// <summary>The members, in output order.</summary>
    public required IReadOnlyList<EtcdMember> Members { get; init; }

    /// <summary>Finds a member by ID.</summary>
    public EtcdMember? Find(MemberId id) => Members.FirstOrDefault(m => m.Id == id);
}

/// <summary>One endpoint's line of <c>etcdctl endpoint health</c>.</summary>
public sealed record EtcdctlEndpointHealth
{
    /// <summary>The endpoint as etcdctl printed it.</summary>
    public required string Endpoint { get; init; }

    /// <summary>Whether etcdctl judged it healthy (a linearizable read succeeded).</summary>
    public required bool IsHealthy { get; init; }

    /// <summary>How long the check took (Go duration, rounded to 100 ns); <see langword="null"/> when not printed.</summary>
    public TimeSpan? Took { get; init; }

    /// <summary>Why it is unhealthy, when it is.</summary>
    public string? Error { get; init; }
}

/// <summary>One endpoint's hash from <c>etcdctl endpoint hashkv</c>.</summary>
public sealed record EtcdctlHashKv
{
    /// <summary>The endpoint as etcdctl printed it.</summary>
    public required string Endpoint { get; init; }

    /// <summary>The hash of the member's keys and values.</summary>
    public required uint Hash { get; init; }

    /// <summary>The response header; only <c>-w json</c> and <c>-w fields</c> print it.</summary>
    public ResponseHeader? Header { get; init; }

    /// <summary>The member's compacted revision when hashed (<c>-1</c>: never compacted), when printed (JSON; tables of newer etcdctl).</summary>
    public long? CompactRevision { get; init; }

    /// <summary>The revision that was hashed (etcd 3.5.8+ JSON, newer tables), when printed.</summary>
    public long? HashRevision { get; init; }

    /// <summary>The member's revision when it answered (the header's), when printed (JSON, fields; tables of newer etcdctl).</summary>
    public long? Revision { get; init; }
}

/// <summary>Parsed <c>etcdctl endpoint hashkv</c> output.</summary>
public sealed record EtcdctlHashKvOutput
{
    /// <summary>The format the output was in.</summary>
    public required EtcdctlOutputFormat Format { get; init; }

    /// <summary>The hashes of the endpoints that answered, in output order.</summary>
    public required IReadOnlyList<EtcdctlHashKv> Hashes { get; init; }

    /// <summary>The endpoints that failed (captured <c>Failed to get the hash</c> lines).</summary>
    public required IReadOnlyList<EtcdctlEndpointFailure> Failures { get; init; }

    /// <summary>Whether every endpoint that answered printed the same hash (compare only hashes taken at one revision).</summary>
    public bool HashesAgree => Hashes.Select(h => h.Hash).Distinct().Count() <= 1;
}
