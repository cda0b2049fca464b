using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

public sealed class TlsClusterFixture : IAsyncLifetime
{
    public EtcdTestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, Tls = true, ClientCertAuth = true });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>TLS with client-certificate auth, against a real member.</summary>
public sealed class TlsTests(TlsClusterFixture fixture) : IClassFixture<TlsClusterFixture>
{
    private EtcdTestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Status_OverTlsWithClientCertificate_Works_AndMatchesEtcdctl()
    {
        await using var client = Cluster.CreateClient();

        var status = await client.GetStatusAsync(Cluster.Endpoint(0));

        Assert.True(status.IsLeader);
        Assert.Contains(status.MemberId.ToString(), await Cluster.EtcdctlAsync(["endpoint", "status"]), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Endpoint_WithoutScheme_UsesTlsWhenTlsIsConfigured()
    {
        var options = Cluster.ClientOptions();
        options.Endpoints = [$"127.0.0.1:{Cluster.Members[0].ClientPort}"];
        await using var client = new EtcdMaintenanceClient(options);

        Assert.True(client.Endpoints[0].UsesTls);
        Assert.NotNull(await client.GetStatusAsync(client.Endpoints[0]));
    }

    [Fact]
    public async Task Certificates_AsObjects_WorkLikeFiles()
    {
        var certs = Cluster.Certificates!;
        var options = Cluster.ClientOptions(withClientCertificate: false);
        options.Tls.CaFile = null;
        var ca = new System.Security.Cryptography.X509Certificates.X509Certificate2Collection();
        ca.ImportFromPemFile(certs.CaFile);
        options.Tls.CaCertificate = ca[0];
        options.Tls.ClientCertificate = System.Security.Cryptography.X509Certificates.X509Certificate2.CreateFromPemFile(certs.ClientCertFile, certs.ClientKeyFile);
        await using var client = new EtcdMaintenanceClient(options);

        Assert.True((await client.GetStatusAsync(Cluster.Endpoint(0))).IsLeader);
    }

    [Fact]
    public async Task WrongCa_FailsWithAClearTlsError()
    {
        var other = TestCertificates.Create(Path.Combine(Cluster.Root, $"other-{Guid.NewGuid():N}"), "some-other-ca");
        await using var client = Cluster.CreateClient(o => o.Tls.CaFile = other.CaFile);

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(Cluster.Endpoint(0)));

        Assert.Equal(EtcdErrorCode.EndpointUnavailable, error.ErrorCode);
        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
        Assert.Contains(Cluster.Members[0].ClientUrl, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerNameOverride_MatchingTheCertificate_IsAccepted()
    {
        var options = Cluster.ClientOptions();
        options.Endpoints = [$"https://localhost:{Cluster.Members[0].ClientPort}"];
        options.Tls.ServerName = "127.0.0.1";
        await using var client = new EtcdMaintenanceClient(options);

        Assert.True((await client.GetStatusAsync(client.Endpoints[0])).IsLeader);
    }

    [Fact]
    public async Task WrongServerName_IsRefusedEvenWithTheRightCa()
    {
        await using var client = Cluster.CreateClient(o => o.Tls.ServerName = "not-the-etcd-server.example");

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(Cluster.Endpoint(0)));

        Assert.Contains("TLS handshake failed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingClientCertificate_WhenTheServerRequiresOne_FailsAndNamesTheEndpoint()
    {
        await using var client = new EtcdMaintenanceClient(Cluster.ClientOptions(withClientCertificate: false));

        var error = await Assert.ThrowsAsync<EtcdUnavailableException>(() => client.GetStatusAsync(Cluster.Endpoint(0)));

        Assert.Equal(EtcdErrorCode.EndpointUnavailable, error.ErrorCode);
        Assert.Contains(Cluster.Members[0].ClientUrl, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PlainHttp_AgainstATlsMember_FailsWithAnUnavailableError()
    {
        var options = new EtcdClientOptions { Endpoints = [$"http://127.0.0.1:{Cluster.Members[0].ClientPort}"] };
        await using var client = new EtcdMaintenanceClient(options);

        var error = await Assert.ThrowsAnyAsync<EtcdException>(() => client.GetStatusAsync(client.Endpoints[0]));

        Assert.Contains("127.0.0.1", error.Message, StringComparison.Ordinal);
    }
}

public sealed class AuthClusterFixture : IAsyncLifetime
{
    public EtcdTestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, RootPassword = "s3cret-root" });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>etcd with auth enabled: token acquisition, wrong password, permission denied, token re-acquired after a restart.</summary>
public sealed class AuthTests(AuthClusterFixture fixture) : IClassFixture<AuthClusterFixture>
{
    private EtcdTestCluster Cluster => fixture.Cluster;

    [Fact]
    public async Task Root_CanReadAlarmsAndDefragment()
    {
        await using var client = Cluster.CreateClient();

        Assert.Empty(await client.GetAlarmsAsync());
        Assert.NotNull(await client.DefragmentAsync(Cluster.Endpoint(0)));
        Assert.True((await client.ProbeWriteAsync()).Revision > 0);
    }

    [Fact]
    public async Task WrongPassword_FailsWithAuthenticationFailed_AndTheMessageHoldsNoPassword()
    {
        await using var client = Cluster.CreateClient(o => o.Password = "wrong-password-value");

        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.GetAlarmsAsync());

        Assert.Equal(EtcdErrorCode.AuthenticationFailed, error.ErrorCode);
        Assert.DoesNotContain("wrong-password-value", error.Message, StringComparison.Ordinal);
        Assert.Contains("Auth.Authenticate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task UserWithoutRoles_GetsPermissionDeniedOnWrites()
    {
        await using var client = Cluster.CreateClient(o => { o.Username = "reader"; o.Password = "reader"; });

        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.ProbeWriteAsync());

        Assert.Equal(EtcdErrorCode.PermissionDenied, error.ErrorCode);
        Assert.Equal(EtcdStatusCode.PermissionDenied, error.StatusCode);
    }

    [Fact]
    public async Task Token_IsReacquired_AfterTheMemberRestartsAndForgetsIt()
    {
        await using var client = Cluster.CreateClient();
        Assert.Empty(await client.GetAlarmsAsync());

        await Cluster.StopMemberAsync(0);
        await Cluster.StartMemberAsync(0);

        Assert.Empty(await Retry.WhileAsync(EtcdErrorCode.NoLeader, () => client.GetAlarmsAsync()));
    }
}
