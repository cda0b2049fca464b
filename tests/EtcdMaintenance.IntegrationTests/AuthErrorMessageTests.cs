namespace EtcdMaintenance.IntegrationTests;

/// <summary>
/// A wrong password: the client authenticates before every call when a user is given (as etcdctl does), so Status fails
/// too (etcd 3.5 wants a token for it; 3.4 would answer without one), and a change names the endpoint and the real cause.
/// </summary>
public sealed class AuthErrorMessageTests(AuthClusterFixture fixture) : IClassFixture<AuthClusterFixture>
{
    [Fact]
    public async Task WrongPassword_StatusAndCompactFailNamingTheEndpointAndTheAuthenticationFailure()
    {
        var cluster = fixture.Cluster;
        await using var client = cluster.CreateClient(o => o.Password = "wrong-password-value");

        var status = await client.GetClusterStatusAsync();
        var refused = Assert.IsType<EtcdAuthException>(Assert.Single(status.Endpoints).Error);
        Assert.Equal(EtcdErrorCode.AuthenticationFailed, refused.ErrorCode);

        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.CompactAsync(1));

        Assert.Equal(EtcdErrorCode.AuthenticationFailed, error.ErrorCode);
        Assert.Contains(cluster.Members[0].ClientUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-value", error.Message, StringComparison.Ordinal);
    }
}
