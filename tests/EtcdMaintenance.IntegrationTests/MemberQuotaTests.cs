using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>Each member's quota as the member itself reports it: its metrics on etcd 3.4 and 3.5, its status on 3.6.</summary>
public sealed class MemberQuotaTests
{
    private const long MiB = 1024 * 1024;

    private static EtcdQuotaSource Reported => EtcdBinaries.EtcdVersion < new Version(3, 6) ? EtcdQuotaSource.Metrics : EtcdQuotaSource.StatusResponse;

    [Fact]
    public async Task Status_ReportsEachMembersOwnQuotaBackendBytes_WithNoQuotaConfigured()
    {
        long[] quotas = [16 * MiB, 24 * MiB, 48 * MiB];
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 3, MemberQuotas = quotas });
        await using var client = cluster.CreateClient();

        var status = await client.GetClusterStatusAsync();

        for (var i = 0; i < quotas.Length; i++)
        {
            var member = status.Endpoints.Single(e => e.Endpoint.Equals(cluster.Endpoint(i))).Status!;
            Assert.Equal((quotas[i], Reported), (member.DbSizeQuota, member.QuotaSource));
            Assert.Null(member.QuotaUnavailableReason);
            Assert.Equal((double)member.DbSize / quotas[i], member.QuotaUsage);
        }
    }

    [Fact]
    public async Task Status_OverTlsWithClientCertificateAuth_ReadsTheQuotaWithTheClientsCertificate()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Tls = true, ClientCertAuth = true, QuotaBackendBytes = 20 * MiB });
        await using var client = cluster.CreateClient();

        var status = await client.GetStatusAsync(cluster.Endpoint(0));

        Assert.Equal((20 * MiB, Reported), (status.DbSizeQuota, status.QuotaSource));
    }

    [Fact]
    public async Task ConfiguredQuota_OverridesWhatTheMemberReports()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, QuotaBackendBytes = 16 * MiB });
        await using var client = cluster.CreateClient(o => o.QuotaBackendBytes = 1L << 30);

        var status = await client.GetStatusAsync(cluster.Endpoint(0));

        Assert.Equal((1L << 30, EtcdQuotaSource.Configured), (status.DbSizeQuota, status.QuotaSource));
    }
}
