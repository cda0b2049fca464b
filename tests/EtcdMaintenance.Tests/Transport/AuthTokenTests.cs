using Etcdserverpb;
using Google.Protobuf;

namespace EtcdMaintenance.Tests.Transport;

/// <summary>The auth token on every call, renewed once when etcd rejects it, against canned answers (no socket).</summary>
public sealed class AuthTokenTests
{
    private const string Url = "http://10.0.0.1:2379";

    private static EtcdMaintenanceClient Client(HttpMessageHandler handler) =>
        new(new EtcdClientOptions { Endpoints = [Url], Username = "root", Password = "secret" }, null, null, _ => handler);

    [Fact]
    public async Task ARejectedToken_IsRenewedOnce_AndTheCallRepeatedWithTheNewOne()
    {
        var issued = 0;
        var tokensSeen = new List<string?>();
        var handler = new CannedGrpc.Handler((path, token, body) =>
        {
            if (path == "/etcdserverpb.Auth/Authenticate")
            {
                var request = AuthenticateRequest.Parser.ParseFrom(body);
                Assert.Equal(("root", "secret"), (request.Name, request.Password));
                return CannedGrpc.Answer(new AuthenticateResponse { Token = $"t{++issued}" }.ToByteArray());
            }

            tokensSeen.Add(token);
            return token == "t1"
                ? CannedGrpc.Error(3, "etcdserver: invalid auth token")
                : CannedGrpc.Answer(new AlarmResponse().ToByteArray());
        });
        await using var client = Client(handler);

        var alarms = await client.GetAlarmsAsync();

        Assert.Empty(alarms);
        Assert.Equal(2, issued);
        Assert.Equal(["t1", "t2"], tokensSeen);
    }

    [Fact]
    public async Task ATokenRejectedTwice_IsNotRenewedAgain()
    {
        var handler = new CannedGrpc.Handler((path, _, _) => path == "/etcdserverpb.Auth/Authenticate"
            ? CannedGrpc.Answer(new AuthenticateResponse { Token = "t" }.ToByteArray())
            : CannedGrpc.Error(3, "etcdserver: invalid auth token"));
        await using var client = Client(handler);

        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.GetStatusAsync(EtcdEndpoint.Parse(Url)));

        Assert.Equal(EtcdErrorCode.InvalidAuthToken, error.ErrorCode);
        Assert.Equal(2, handler.Paths.Count(p => p == "/etcdserverpb.Auth/Authenticate"));
        Assert.Equal(2, handler.Paths.Count(p => p == "/etcdserverpb.Maintenance/Status"));
    }

    [Fact]
    public async Task AWrongPassword_IsAnAuthException_NamingTheEndpoint()
    {
        var handler = new CannedGrpc.Handler((_, _, _) => CannedGrpc.Error(3, "etcdserver: authentication failed, invalid user ID or password"));
        await using var client = Client(handler);

        var error = await Assert.ThrowsAsync<EtcdAuthException>(() => client.GetStatusAsync(EtcdEndpoint.Parse(Url)));

        Assert.Equal(EtcdErrorCode.AuthenticationFailed, error.ErrorCode);
        Assert.Equal("Auth.Authenticate", error.Operation);
        Assert.Contains(Url, error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
    }
}
