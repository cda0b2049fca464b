namespace EtcdMaintenance.IntegrationTests;

/// <summary>A wrong password: status still answers (it needs no token), and a change names the endpoint and the real cause.</summary>
public sealed class AuthErrorMessageTests(AuthClusterFixture fixture) : IClassFixture<AuthClusterFixture>
{
    [Fact]
    public async Task WrongPassword_StatusStillAnswers_AndCompactFailsNamingTheEndpointAndTheAuthenticationFailure()
    {
        var cluster = fixture.Cluster;
        await using var client = cluster.CreateClient(o => o.Password = "wrong-password-value");

        var status = await client.GetClusterStatusAsync();
        Assert.Single(status.Reachable);
        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.CompactAsync(status.MaxRevision!.Value));

        Assert.Equal(EtcdErrorCode.AuthenticationFailed, error.ErrorCode);
        Assert.Contains(cluster.Members[0].ClientUrl, error.Message, StringComparison.Ordinal);
        Assert.Contains("authentication failed", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-value", error.Message, StringComparison.Ordinal);
    }
}
