using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>Shared setup and assertions for the member-replacement tests on real hosted 3-member clusters.</summary>
internal static class ReplacementTestKit
{
    public static Task<EtcdTestCluster> StartClusterAsync() =>
        EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, Hosted = true });

    public static string JournalDirectory(EtcdTestCluster cluster) => Path.Combine(cluster.Root, "journals");

    public static MemberReplacementOptions Options(EtcdTestCluster cluster) => Options(cluster.Root, stopTimeout: TimeSpan.FromSeconds(30));

    /// <summary>
    /// The tests' replacement options: journals and snapshots under <paramref name="root"/>, fast polling, and deadlines
    /// long enough for a loaded machine; <paramref name="stopTimeout"/> is longer where a member stops through a stand-in.
    /// </summary>
    public static MemberReplacementOptions Options(string root, TimeSpan stopTimeout) => new()
    {
        JournalDirectory = Path.Combine(root, "journals"),
        SnapshotDirectory = Path.Combine(root, "snapshots"),
        PollInterval = TimeSpan.FromMilliseconds(100),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        MemberChangeTimeout = TimeSpan.FromSeconds(30),
        StopTimeout = stopTimeout,
        CatchUpTimeout = TimeSpan.FromSeconds(60),
        PromoteTimeout = TimeSpan.FromSeconds(30),
        VerifyTimeout = TimeSpan.FromSeconds(30),
    };

    public static MemberReplacementRequest Request(EtcdTestCluster cluster, int index, bool asLearner = true) => new()
    {
        MemberName = cluster.Members[index].Name,
        Host = cluster.Members[index].Host!,
        PeerUrls = [cluster.Members[index].PeerUrl],
        AsLearner = asLearner,
    };

    /// <summary>Writes a few keys under /app/ and returns the whole keyspace.</summary>
    public static async Task<IReadOnlyDictionary<string, byte[]>> SeedAsync(EtcdMaintenanceClient client, int count = 20)
    {
        for (var i = 0; i < count; i++)
        {
            await client.PutAsync($"/app/key{i:D3}", System.Text.Encoding.UTF8.GetBytes($"value {i}"));
        }

        return await client.GetPrefixAsync("/app/");
    }

    /// <summary>What must not change when a replacement is refused: member IDs, data dirs, manifests, and no archive.</summary>
    public static async Task<string> FingerprintAsync(EtcdTestCluster cluster, EtcdMaintenanceClient client)
    {
        var members = await client.ListMembersAsync();
        var text = new System.Text.StringBuilder();
        foreach (var member in members.Members.OrderBy(m => m.Name, StringComparer.Ordinal))
        {
            text.Append(member.Id).Append(' ').Append(member.Name).Append(' ').Append(member.IsLearner).Append(' ').AppendJoin(",", member.PeerUrls).Append('\n');
        }

        foreach (var member in cluster.Members)
        {
            text.Append(member.Name).Append(" data=").Append(Directory.Exists(Path.Combine(member.DataDir, "member")))
                .Append(" manifest=").Append(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(member.Host!.ManifestPath)))).Append('\n');
        }

        text.Append("archives=").AppendJoin(",", Directory.EnumerateDirectories(cluster.Root, "*.replaced-*")).Append('\n');
        return text.ToString();
    }

    public static int LeaderIndex(EtcdTestCluster cluster, ClusterStatus status) =>
        cluster.Members.ToList().FindIndex(m => m.ClientUrl == status.Leader!.Endpoint);

    public static void AssertContains(IReadOnlyDictionary<string, byte[]> expected, IReadOnlyDictionary<string, byte[]> actual)
    {
        foreach (var (key, value) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var found), $"{key} is missing");
            Assert.True(value.AsSpan().SequenceEqual(found), $"{key} changed");
        }
    }

    /// <summary>Three started voting members, each answering for the cluster with the same hash, and the keys on every member.</summary>
    public static async Task AssertHealthyAsync(EtcdTestCluster cluster, EtcdMaintenanceClient client, IReadOnlyDictionary<string, byte[]> keys)
    {
        var members = await client.ListMembersAsync();
        Assert.Equal(3, members.Members.Count);
        Assert.All(members.Members, m => Assert.True(m.IsStarted && !m.IsLearner, $"{m.Id} {m.Name} learner={m.IsLearner}"));
        var report = await new ConsistencyChecker(client).CheckAsync();
        Assert.True(report.IsConsistent, string.Join("; ", report.Suspects.SelectMany(s => s.Findings.Select(f => $"{s.Name}: {f.Message}"))));
        Assert.NotNull(report.MajorityHash);
        Assert.All(report.Members, m => Assert.Equal(report.MajorityHash, m.Hash));
        // Let every member apply everything the leader committed, then read on each member serializably.
        await Retry.UntilAsync(async () =>
        {
            var status = await client.GetClusterStatusAsync();
            var leaderIndex = status.Leader?.RaftIndex ?? ulong.MaxValue;
            return status.Reachable.Count == cluster.Members.Count && status.Reachable.All(s => s.RaftAppliedIndex >= leaderIndex);
        }, "every member to apply the leader's log");
        for (var i = 0; i < cluster.Members.Count; i++)
        {
            // A serializable read on each member: every member has every key.
            AssertContains(keys, await client.GetPrefixAsync("/app/", cluster.Endpoint(i)));
        }
    }
}
