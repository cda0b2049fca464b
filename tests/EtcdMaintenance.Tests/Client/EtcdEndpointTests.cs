namespace EtcdMaintenance.Tests.Client;

public sealed class EtcdEndpointTests
{
    [Theory]
    [InlineData("https://10.0.0.1:2379", false, "https://10.0.0.1:2379/")]
    [InlineData("http://127.0.0.1:23791", true, "http://127.0.0.1:23791/")]
    [InlineData("10.0.0.1:2379", false, "http://10.0.0.1:2379/")]
    [InlineData("10.0.0.1:2379", true, "https://10.0.0.1:2379/")]
    [InlineData("etcd-0.example", true, "https://etcd-0.example:2379/")]
    [InlineData("https://etcd-0.example", false, "https://etcd-0.example:2379/")]
    [InlineData("https://etcd-0.example:443", false, "https://etcd-0.example/")]
    [InlineData("[::1]:2379", false, "http://[::1]:2379/")]
    public void Parse_AcceptsWhatEtcdctlAccepts(string text, bool tls, string expected)
    {
        var endpoint = EtcdEndpoint.Parse(text, tls);

        Assert.Equal(new Uri(expected), endpoint.Address);
        Assert.Equal(text, endpoint.Text);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("unix:///var/run/etcd.sock", "unix")]
    [InlineData("https://10.0.0.1:2379/v3", "path")]
    [InlineData("ftp://10.0.0.1:2379", "ftp")]
    public void Parse_RejectsWhatIsNotAnEndpoint_SayingWhy(string text, string reason)
    {
        var error = Assert.Throws<FormatException>(() => EtcdEndpoint.Parse(text));
        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ParseList_SplitsCommas_DropsEmptiesAndDuplicates()
    {
        var list = EtcdEndpoint.ParseList("https://a:2379, https://b:2379,,https://a:2379");

        Assert.Equal(["https://a:2379", "https://b:2379"], list.Select(e => e.Text));
    }
}
