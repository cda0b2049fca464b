using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>Client options that mirror etcdctl's behaviour, proven against real etcd: --user without auth, --insecure-skip-tls-verify.</summary>
public sealed class ClientEtcdctlParityTests
{
    [Fact]
    public async Task Username_OnAClusterWithoutAuth_CallsWithoutAToken_AsEtcdctlDoes()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1 });
        var etcdctl = await cluster.RunEtcdctlAsync(["--user", "root:anything", "put", "/parity/etcdctl", "1"]);
        Assert.True(etcdctl.ExitCode == 0, etcdctl.Stderr);

        await using var client = cluster.CreateClient(o =>
        {
            o.Username = "root";
            o.Password = "anything";
        });

        Assert.Empty(await client.GetAlarmsAsync());
        Assert.True((await client.ProbeWriteAsync()).Revision > 0);
    }

    [Fact]
    public async Task InsecureSkipTlsVerify_AcceptsAnUntrustedServer_WhileTheDefaultRefusesIt()
    {
        await using var cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Tls = true, ClientCertAuth = true });
        await using var verifying = cluster.CreateClient(o => o.Tls.CaFile = null);
        await using var skipping = cluster.CreateClient(o =>
        {
            o.Tls.CaFile = null;
            o.Tls.InsecureSkipTlsVerify = true;
        });

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => verifying.GetAlarmsAsync());
        Assert.Contains("TLS", error.Message, StringComparison.Ordinal);
        Assert.Empty(await skipping.GetAlarmsAsync());
    }
}
