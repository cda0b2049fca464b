namespace EtcdMaintenance.Parsing;

/// <summary>One endpoint's revision from <c>etcdctl endpoint status</c> output.</summary>
/// <param name="Index">The endpoint's 0-based position among the statuses in the output.</param>
/// <param name="MemberId">The member that answered (the response header's member ID).</param>
/// <param name="Revision">The key-value store revision the member reported (the response header's revision).</param>
public readonly record struct EndpointRevision(int Index, MemberId MemberId, long Revision);

/// <summary>The revisions in <c>etcdctl endpoint status</c> output, and the revision to compact at.</summary>
/// <param name="Format">The format the output was in (<see cref="EtcdctlOutputFormat.Json"/> or <see cref="EtcdctlOutputFormat.Fields"/>).</param>
/// <param name="Endpoints">Each endpoint's revision, in output order.</param>
/// <param name="CompactRevision">The highest revision reported: the revision to compact at.</param>
public sealed record RevisionExtraction(EtcdctlOutputFormat Format, IReadOnlyList<EndpointRevision> Endpoints, long CompactRevision);
