using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests;

/// <summary>
/// A wrong password: etcd 3.4 still answers Status (it needs no token there), 3.5 refuses it like every other call; a
/// change names the endpoint and the real cause.
/// </summary>
public sealed class AuthErrorMessageTests(AuthClusterFixture fixture) : IClassFixture<AuthClusterFixture>
{
    [Fact]
    public async Task WrongPassword_StatusAnswersOnlyOn34_AndCompactFailsNamingTheEndpointAndTheAuthenticationFailure()
    {
        var cluster = fixture.Cluster;
        await using var client = cluster.CreateClient(o => o.Password = "wrong-password-value");

        var status = await client.GetClusterStatusAsync();
        if (EtcdBinaries.IsEtcd34)
        {
            Assert.Single(status.Reachable);
        }
        else
        {
            var refused = Assert.IsType<EtcdAuthException>(Assert.Single(status.Endpoints).Error);
            Assert.Equal(EtcdErrorCode.AuthenticationFailed, refused.ErrorCode);
        }

        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.CompactAsync(1));

        Assert.Equal(EtcdErrorCode.AuthenticationFailed, error.ErrorCode);
        Assert.Contains(cluster.Members[0].ClientUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-value", error.Message, StringComparison.Ordinal);
    }
}
