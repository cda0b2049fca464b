using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;
using static EtcdMaintenance.IntegrationTests.Operations.ReplacementTestKit;

namespace EtcdMaintenance.IntegrationTests.Operations;

/// <summary>
/// A replacement or a restart refuses to start an etcd binary older than the cluster's version (etcd does not downgrade a
/// cluster), before changing anything. On a 3.5 cluster the 3.4 binary on PATH is refused; on a 3.4 cluster the suite's
/// own binary passes the same check.
/// </summary>
public sealed class BinaryVersionTests
{
    [Fact]
    public async Task BinaryOlderThanTheCluster_IsRefusedByReplacementAndQuotaRaise_BeforeAnyChange_ASameVersionBinaryPasses()
    {
        await using var cluster = await StartClusterAsync();
        await using var client = cluster.CreateClient();
        await SeedAsync(client, 5);
        var coordinator = new MemberReplacementCoordinator(client, Options(cluster));
        var pristine = await FingerprintAsync(cluster, client);
        var clusterVersion = new Version(EtcdBinaries.EtcdVersion.Major, EtcdBinaries.EtcdVersion.Minor);

        // The suite's own binary: the check passes and says which versions it compared.
        var plan = await coordinator.PlanAsync(Request(cluster, 1));
        var same = Assert.Single(plan.Preconditions, p => p.Name == "etcd binary not older than the cluster");
        Assert.True(same.Passed, same.Detail);
        Assert.Contains($"is etcd {EtcdBinaries.EtcdVersion}; the cluster runs {clusterVersion}", same.Detail, StringComparison.Ordinal);

        if (clusterVersion < new Version(3, 5))
        {
            // A 3.4 cluster has no older binary installed to refuse (.ci/test runs this test on 3.5 too).
            return;
        }

        var older = await OlderEtcdOnPathAsync(clusterVersion);
        var olderHost = new LocalProcessEtcdHost(cluster.Members[1].Host!.ManifestPath, older);

        var refused = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => coordinator.StartAsync(Request(cluster, 1) with { Host = olderHost }));
        Assert.Contains("etcd binary not older than the cluster", refused.Message, StringComparison.Ordinal);
        Assert.Contains($"older than the cluster's version {clusterVersion}", refused.Message, StringComparison.Ordinal);
        Assert.Contains(older, refused.Message, StringComparison.Ordinal);
        Assert.Equal(pristine, await FingerprintAsync(cluster, client));
        Assert.False(Directory.Exists(JournalDirectory(cluster)) && Directory.EnumerateFiles(JournalDirectory(cluster), "*.json").Any());

        var raise = new QuotaRaise(client, [olderHost], new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("64MiB") });
        var raiseRefused = await Assert.ThrowsAsync<EtcdSafetyCheckException>(() => raise.ExecuteAsync());
        Assert.Contains($"older than the cluster's version {clusterVersion}", raiseRefused.Message, StringComparison.Ordinal);
        Assert.Equal(pristine, await FingerprintAsync(cluster, client));
    }

    /// <summary>An etcd on PATH (Debian's 3.4) older than <paramref name="clusterVersion"/>; a missing one fails the test.</summary>
    private static async Task<string> OlderEtcdOnPathAsync(Version clusterVersion)
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "etcd")).Append("/usr/bin/etcd").Where(File.Exists).Distinct();
        foreach (var candidate in candidates)
        {
            var version = await EtcdBinaryVersion.ReadAsync(candidate);
            if (new Version(version.Major, version.Minor) < clusterVersion)
            {
                return candidate;
            }
        }

        throw new InvalidOperationException($"No etcd older than {clusterVersion} on PATH: install Debian's etcd-server (3.4) as .ci/setup does.");
    }
}
