global using EtcdMaintenance.Testing;
// The tests' names for the launcher's types (EtcdMaintenance.Testing), kept so that test files did not change.
global using EtcdClusterOptions = EtcdMaintenance.Testing.LocalEtcdClusterOptions;
global using EtcdTestCluster = EtcdMaintenance.Testing.LocalEtcdCluster;
global using EtcdTestMember = EtcdMaintenance.Testing.LocalEtcdMember;
global using TestCertificates = EtcdMaintenance.Testing.LocalEtcdCertificates;

namespace EtcdMaintenance.IntegrationTests.Harness;

/// <summary>Test-only ways to bring a <see cref="LocalEtcdCluster"/> into a state: out of space, fragmented.</summary>
public static class ClusterFill
{
    extension(LocalEtcdCluster cluster)
    {
        /// <summary>
        /// Writes ~900 KB values until etcd raises NOSPACE; returns the keys written and the error of the write that failed.
        /// With <paramref name="distinctKeys"/> the same keys are overwritten, so that most of the database is history a
        /// compaction can free.
        /// </summary>
        public async Task<(IReadOnlyList<string> Keys, EtcdException Error)> FillToNoSpaceAsync(EtcdMaintenanceClient client, string prefix = "/fill/", int? distinctKeys = null, CancellationToken cancellationToken = default)
        {
            var value = new byte[900 * 1024];
            var keys = new List<string>();
            for (var i = 0; i < 400; i++)
            {
                Random.Shared.NextBytes(value);
                var key = $"{prefix}{(distinctKeys is { } n ? i % n : i):D4}";
                try
                {
                    await client.PutAsync(key, value, cancellationToken: cancellationToken);
                    if (!keys.Contains(key))
                    {
                        keys.Add(key);
                    }
                }
                catch (EtcdException ex) when (ex.ErrorCode == EtcdErrorCode.NoSpace)
                {
                    return (keys, ex);
                }
            }

            throw new InvalidOperationException($"The cluster in {cluster.Root} never ran out of space: was it started with a small QuotaBackendBytes?");
        }

        /// <summary>
        /// Churns and deletes ~6 MB of values and compacts, then writes small keys until every member reports at least
        /// <paramref name="ratio"/> fragmentation (bbolt counts freed pages as free only after later commits).
        /// </summary>
        public static async Task FragmentAsync(EtcdMaintenanceClient client, double ratio = 0.45)
        {
            for (var i = 0; i < 30; i++)
            {
                await client.PutAsync($"/churn/{i % 10}", new byte[200 * 1024]);
            }

            await client.DeletePrefixAsync("/churn/");
            await client.CompactAsync((await client.PutAsync("/tick", "0"u8.ToArray())).Revision);
            await Retry.UntilAsync(async () =>
            {
                await client.PutAsync("/tick", "1"u8.ToArray());
                return (await client.GetClusterStatusAsync()).Reachable.All(s => s.FragmentationRatio >= ratio);
            }, "every member to report the fragmentation");
        }
    }
}
