using EtcdMaintenance.Transport;

namespace EtcdMaintenance.Tests.Client;

public sealed class EtcdErrorsTests
{
    [Theory]
    [InlineData(EtcdStatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded", EtcdErrorCode.NoSpace, typeof(EtcdNoSpaceException))]
    [InlineData(EtcdStatusCode.OutOfRange, "etcdserver: mvcc: required revision has been compacted", EtcdErrorCode.RevisionCompacted, typeof(EtcdRevisionException))]
    [InlineData(EtcdStatusCode.OutOfRange, "etcdserver: mvcc: required revision is a future revision", EtcdErrorCode.FutureRevision, typeof(EtcdRevisionException))]
    [InlineData(EtcdStatusCode.NotFound, "etcdserver: member not found", EtcdErrorCode.MemberNotFound, typeof(EtcdMemberNotFoundException))]
    [InlineData(EtcdStatusCode.Unavailable, "etcdserver: unhealthy cluster", EtcdErrorCode.UnhealthyCluster, typeof(EtcdUnhealthyClusterException))]
    [InlineData(EtcdStatusCode.FailedPrecondition, "etcdserver: re-configuration failed due to not enough started members", EtcdErrorCode.UnhealthyCluster, typeof(EtcdUnhealthyClusterException))]
    [InlineData(EtcdStatusCode.InvalidArgument, "etcdserver: authentication failed, invalid user ID or password", EtcdErrorCode.AuthenticationFailed, typeof(EtcdAuthException))]
    [InlineData(EtcdStatusCode.PermissionDenied, "etcdserver: permission denied", EtcdErrorCode.PermissionDenied, typeof(EtcdAuthException))]
    [InlineData(EtcdStatusCode.Unauthenticated, "etcdserver: invalid auth token", EtcdErrorCode.InvalidAuthToken, typeof(EtcdAuthException))]
    [InlineData(EtcdStatusCode.FailedPrecondition, "etcdserver: can only promote a learner member which is in sync with leader", EtcdErrorCode.LearnerNotReady, typeof(EtcdException))]
    [InlineData(EtcdStatusCode.FailedPrecondition, "etcdserver: can only promote a learner member", EtcdErrorCode.MemberNotLearner, typeof(EtcdException))]
    [InlineData(EtcdStatusCode.FailedPrecondition, "etcdserver: Peer URLs already exists", EtcdErrorCode.PeerUrlExists, typeof(EtcdException))]
    [InlineData(EtcdStatusCode.FailedPrecondition, "etcdserver: not leader", EtcdErrorCode.NotLeader, typeof(EtcdException))]
    [InlineData(EtcdStatusCode.Unavailable, "etcdserver: no leader", EtcdErrorCode.NoLeader, typeof(EtcdException))]
    [InlineData(EtcdStatusCode.DataLoss, "etcdserver: corrupt cluster", EtcdErrorCode.Corrupt, typeof(EtcdException))]
    [InlineData(EtcdStatusCode.DeadlineExceeded, "context deadline exceeded", EtcdErrorCode.DeadlineExceeded, typeof(EtcdUnavailableException))]
    [InlineData(EtcdStatusCode.Internal, "something new", EtcdErrorCode.Unknown, typeof(EtcdException))]
    public void FromStatus_MapsEtcdsMessagesToTypedErrors(EtcdStatusCode status, string message, EtcdErrorCode code, Type type)
    {
        var error = EtcdErrors.FromStatus("https://10.0.0.1:2379", "KV.Put", status, message);

        Assert.IsType(type, error);
        Assert.Equal(code, error.ErrorCode);
        Assert.Equal(status, error.StatusCode);
        Assert.Equal(message, error.ServerMessage);
        Assert.Equal("https://10.0.0.1:2379", error.Endpoint);
        Assert.StartsWith("KV.Put on https://10.0.0.1:2379 failed:", error.Message, StringComparison.Ordinal);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(EtcdErrorCode.NoLeader, true)]
    [InlineData(EtcdErrorCode.EndpointUnavailable, true)]
    [InlineData(EtcdErrorCode.LearnerNotReady, true)]
    [InlineData(EtcdErrorCode.NoSpace, false)]
    [InlineData(EtcdErrorCode.MemberNotFound, false)]
    [InlineData(EtcdErrorCode.AuthenticationFailed, false)]
    public void IsTransient_IsTrueOnlyWhenTryingAgainCanHelp(EtcdErrorCode code, bool transient) =>
        Assert.Equal(transient, new EtcdException("m", null, "op", EtcdStatusCode.Unknown, code, null).IsTransient);

    [Fact]
    public void NoSpace_AdvisesTheRecoveryRunbook()
    {
        var error = EtcdErrors.FromStatus("e", "KV.Put", EtcdStatusCode.ResourceExhausted, "etcdserver: mvcc: database space exceeded");

        Assert.Contains("defragment", error.Message, StringComparison.Ordinal);
        Assert.Contains("--quota-backend-bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FromTransport_DescribesRefusedConnectionsAndTlsFailures()
    {
        var refused = RpcErrors.FromTransport("http://127.0.0.1:1", "Maintenance.Status",
            new HttpRequestException("x", new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
        var tls = RpcErrors.FromTransport("https://127.0.0.1:1", "Maintenance.Status",
            new HttpRequestException("x", new System.Security.Authentication.AuthenticationException("remote certificate is invalid")));

        Assert.Contains("connection refused", refused.Message, StringComparison.Ordinal);
        Assert.Contains("TLS handshake failed (remote certificate is invalid)", tls.Message, StringComparison.Ordinal);
        Assert.All([refused, tls], e => Assert.Equal(EtcdErrorCode.EndpointUnavailable, e.ErrorCode));
    }
}
