using EtcdMaintenance.Transport;

namespace EtcdMaintenance.Tests.Client;

public sealed class TransportErrorMessageTests
{
    private static HttpRequestException Wrapped(Exception inner) => new("An error occurred while sending the request.", inner);

    [Fact]
    public void TheInnerChain_IsTheCause_NotHttpClientsGenericSentence()
    {
        var error = RpcErrors.FromTransport("http://10.0.0.1:2379", "KV.Compact",
            Wrapped(new IOException("Unable to read data from the transport connection", new InvalidOperationException("the stream was closed."))));

        Assert.StartsWith("KV.Compact on http://10.0.0.1:2379 failed: ", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("An error occurred while sending the request", error.Message, StringComparison.Ordinal);
        Assert.Contains("failed: Unable to read data from the transport connection: the stream was closed.", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("client certificate", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverTls_AConnectionClosedWithoutAnAnswer_PointsAtTheClientCertificate()
    {
        var error = RpcErrors.FromTransport("https://10.0.0.1:2379", "Maintenance.Status", Wrapped(new IOException("The response ended prematurely")));

        Assert.Contains("the connection broke (The response ended prematurely)", error.Message, StringComparison.Ordinal);
        Assert.Contains("client certificate is missing or not signed by its CA", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RepeatedMessages_AreSaidOnce()
    {
        var chain = RpcErrors.DescribeExceptionChain(new InvalidOperationException("boom.", new InvalidOperationException("boom")));

        Assert.Equal("boom", chain);
    }

    [Fact]
    public void ACallCancelledBelowGrpc_IsAnUnansweredCall_NotAnAnswerThatIsNotGrpc()
    {
        var rpc = new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Cancelled, "", new TaskCanceledException("The operation was canceled.")));

        var error = RpcErrors.FromRpc("https://10.0.0.1:2379", "Maintenance.Status", rpc, TimeSpan.FromSeconds(5), endpointHasAnswered: false);

        Assert.IsType<EtcdUnavailableException>(error);
        Assert.True(error.IsTransient);
        Assert.DoesNotContain("not valid gRPC", error.Message, StringComparison.Ordinal);
        Assert.StartsWith("Maintenance.Status on https://10.0.0.1:2379 failed: ", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnAnswerWithoutGrpcHeaders_IsAProtocolErrorFromANewEndpoint_ButAMemberGoingAwayFromOneThatAnsweredBefore()
    {
        var rpc = new Grpc.Core.RpcException(new Grpc.Core.Status(Grpc.Core.StatusCode.Cancelled, "Bad gRPC response. Response did not have a content-type header."));

        var fresh = RpcErrors.FromRpc("https://10.0.0.2:2379", "Maintenance.Status", rpc, TimeSpan.FromSeconds(5), endpointHasAnswered: false);
        var known = RpcErrors.FromRpc("https://10.0.0.2:2379", "Maintenance.Status", rpc, TimeSpan.FromSeconds(5), endpointHasAnswered: true);

        Assert.Equal(EtcdErrorCode.ProtocolError, fresh.ErrorCode);
        Assert.False(fresh.IsTransient);
        Assert.IsType<EtcdUnavailableException>(known);
        Assert.True(known.IsTransient);
        Assert.Contains("stopped answering mid-call", known.Message, StringComparison.Ordinal);
    }
}
