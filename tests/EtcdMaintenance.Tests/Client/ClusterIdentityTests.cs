namespace EtcdMaintenance.Tests.Client;

public sealed class ClusterIdentityTests
{
    private static EndpointStatusResult Answer(string url, ulong clusterId, ulong memberId)
    {
        var endpoint = EtcdEndpoint.Parse(url);
        return new EndpointStatusResult(endpoint, new EndpointStatus(endpoint.Text, memberId, "3.4.23", 1, memberId, 1, 1, 1)
        {
            Header = new ResponseHeader(clusterId, memberId, 1, 1),
        }, null);
    }

    private static EndpointStatusResult Down(string url)
    {
        var endpoint = EtcdEndpoint.Parse(url);
        return new EndpointStatusResult(endpoint, null, new EtcdException("down", endpoint.Text, "Maintenance.Status", EtcdStatusCode.Unavailable, EtcdErrorCode.EndpointUnavailable, null));
    }

    [Fact]
    public void OneCluster_WithAnEndpointDown_IsThatCluster()
    {
        var status = new ClusterStatus([Answer("http://a:2379", 0xaa, 1), Down("http://b:2379"), Answer("http://c:2379", 0xaa, 3)]);

        Assert.Equal(0xaaUL, ClusterIdentity.Ensure(status, "KV.Compact"));
    }

    [Fact]
    public void NoEndpointAnswers_IsNoCluster_LeftToTheCallItself()
    {
        Assert.Null(ClusterIdentity.Ensure(new ClusterStatus([Down("http://a:2379")]), "KV.Compact"));
    }

    [Fact]
    public void StrayEndpointListedFirst_IsNamed_WithBothClusterIds_AndTheOperation()
    {
        var status = new ClusterStatus([Answer("http://other:2379", 0xbb, 9), Answer("http://a:2379", 0xaa, 1), Answer("http://c:2379", 0xaa, 3)]);

        var error = Assert.Throws<EtcdClusterMismatchException>(() => ClusterIdentity.Ensure(status, "KV.Compact"));

        Assert.Equal(0xaaUL, error.ClusterId);
        Assert.Equal(["http://other:2379"], error.StrayEndpoints);
        Assert.Equal("http://other:2379", error.Endpoint);
        Assert.Equal("KV.Compact", error.Operation);
        Assert.Equal(EtcdErrorCode.SafetyCheckRefused, error.ErrorCode);
        Assert.Equal(
            "KV.Compact refused: the endpoints belong to different clusters: http://other:2379 (cluster bb) is not in cluster aa of http://a:2379, http://c:2379. " +
            "Nothing was changed: leave the stray endpoint(s) out and try again.",
            error.Message);
    }

    [Fact]
    public void AnExtraTargetFromAnotherCluster_IsRefusedToo()
    {
        var status = new ClusterStatus([Answer("http://a:2379", 0xaa, 1), Answer("http://c:2379", 0xaa, 3)]);
        var target = Answer("http://other:2379", 0xbb, 9).Status;

        var error = Assert.Throws<EtcdClusterMismatchException>(() => ClusterIdentity.Ensure(status, "Maintenance.Defragment", target));

        Assert.Equal(["http://other:2379"], error.StrayEndpoints);
    }

    [Fact]
    public void TwoClustersEvenlySplit_HaveNoMajority_AndEveryEndpointIsNamed()
    {
        var status = new ClusterStatus([Answer("http://a:2379", 0xaa, 1), Answer("http://b:2379", 0xbb, 2)]);

        var error = Assert.Throws<EtcdClusterMismatchException>(() => ClusterIdentity.Ensure(status, "KV.Compact"));

        Assert.Null(error.ClusterId);
        Assert.Equal(["http://a:2379", "http://b:2379"], error.StrayEndpoints);
        Assert.Equal(0xbbUL, error.EndpointClusterIds["http://b:2379"]);
        Assert.Contains("none has a majority: http://a:2379 (cluster aa); http://b:2379 (cluster bb)", error.Message, StringComparison.Ordinal);
    }
}
