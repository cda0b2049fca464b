using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>A refused client certificate: the message names the endpoint, the operation and the cause, not HttpClient's generic sentence.</summary>
public sealed class TlsErrorMessageTests(TlsClusterFixture fixture) : IClassFixture<TlsClusterFixture>
{
    private EtcdTestCluster Cluster => fixture.Cluster;

    private void AssertNamesTheCause(EtcdException error)
    {
        Assert.Equal(EtcdErrorCode.EndpointUnavailable, error.ErrorCode);
        Assert.Contains(Cluster.Members[0].ClientUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains("Maintenance.Status", error.Message, StringComparison.Ordinal);
        Assert.Contains("client certificate", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("failed: An error occurred while sending the request.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingClientCertificate_MessageSaysTheServerWantsOne()
    {
        await using var client = new EtcdMaintenanceClient(Cluster.ClientOptions(withClientCertificate: false));

        AssertNamesTheCause(await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(Cluster.Endpoint(0))));
    }

    [Fact]
    public async Task ForeignClientCertificate_MessageSaysTheServerRefusedIt()
    {
        var foreign = TestCertificates.Create(Path.Combine(Cluster.Root, $"foreign-{Guid.NewGuid():N}"), "some-other-ca");
        await using var client = Cluster.CreateClient(o =>
        {
            o.Tls.CertFile = foreign.ClientCertFile;
            o.Tls.KeyFile = foreign.ClientKeyFile;
        });

        AssertNamesTheCause(await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(Cluster.Endpoint(0))));
    }
}
