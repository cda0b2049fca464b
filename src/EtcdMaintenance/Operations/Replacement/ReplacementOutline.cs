namespace EtcdMaintenance.Operations;

/// <summary>What the plan's step descriptions name: the member, its host, and the members the run expects to use.</summary>
internal sealed class ReplacementOutline
{
    public required string MemberName { get; init; }

    public required MemberId MemberId { get; init; }

    public required string HostName { get; init; }

    public required HostCommands Commands { get; init; }

    public required IReadOnlyList<string> PeerUrls { get; init; }

    public required IReadOnlyList<string> ClientUrls { get; init; }

    public required bool AsLearner { get; init; }

    public required string? DataDirectory { get; init; }

    public required string ManifestPath { get; init; }

    public required string? InitialCluster { get; init; }

    /// <summary>The member the snapshot is taken from, if one is healthy.</summary>
    public required string? SnapshotSourceName { get; init; }

    public required string? SnapshotSourceEndpoint { get; init; }

    /// <summary>The member leadership moves to, when the member to replace leads.</summary>
    public required string? MoveLeaderToName { get; init; }

    public required MemberId? MoveLeaderToId { get; init; }

    /// <summary>The member to replace's endpoint, as the consistency report saw it.</summary>
    public required string? TargetEndpoint { get; init; }

    /// <summary>The healthy other voters' endpoints, comma-separated.</summary>
    public required string OthersEndpoints { get; init; }

    /// <summary>The healthy other voters' endpoints and the member's first client URL, comma-separated.</summary>
    public required string AllEndpoints { get; init; }

    public required string SnapshotPath { get; init; }

    public required ulong CatchUpMaxLag { get; init; }

    public required TimeSpan PromoteTimeout { get; init; }
}
