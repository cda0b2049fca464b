namespace EtcdMaintenance.Parsing;

/// <summary>One endpoint's revision from <c>etcdctl endpoint status</c> output.</summary>
public readonly record struct EndpointRevision
{
    /// <summary>The endpoint's 0-based position among the statuses in the output.</summary>
    public required int Index { get; init; }

    /// <summary>The member that answered (the response header's member ID).</summary>
    public required MemberId MemberId { get; init; }

    /// <summary>The key-value store revision the member reported (the response header's revision).</summary>
    public required long Revision { get; init; }
}

/// <summary>The revisions in <c>etcdctl endpoint status</c> output, and the revision to compact at.</summary>
public sealed record RevisionExtraction
{
    /// <summary>The format the output was in (<see cref="EtcdctlOutputFormat.Json"/> or <see cref="EtcdctlOutputFormat.Fields"/>).</summary>
    public required EtcdctlOutputFormat Format { get; init; }

    /// <summary>Each endpoint's revision, in output order.</summary>
    public required IReadOnlyList<EndpointRevision> Endpoints { get; init; }

    /// <summary>The highest revision reported: the revision to compact at.</summary>
    public required long CompactRevision { get; init; }
}
