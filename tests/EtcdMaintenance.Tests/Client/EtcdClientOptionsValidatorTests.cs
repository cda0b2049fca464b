namespace EtcdMaintenance.Tests.Client;

public sealed class EtcdClientOptionsValidatorTests
{
    private static IReadOnlyList<string> Failures(EtcdClientOptions options) =>
        new EtcdClientOptionsValidator().Validate(null, options).Failures?.ToList() ?? [];

    [Fact]
    public void ValidOptions_PassWithDefaultsLikeEtcdctl()
    {
        var options = new EtcdClientOptions { Endpoints = ["https://10.0.0.1:2379,https://10.0.0.2:2379"] };

        Assert.Empty(Failures(options));
        Assert.Equal(TimeSpan.FromSeconds(2), options.DialTimeout);
        Assert.Equal(TimeSpan.FromSeconds(5), options.CommandTimeout);
        Assert.Equal(TimeSpan.FromSeconds(120), options.DefragmentTimeout);
    }

    [Fact]
    public void NullInterceptorList_OrANullInterceptor_IsRefused_SayingWhatToGive()
    {
        var nullList = Assert.Single(Failures(new EtcdClientOptions { Endpoints = ["http://10.0.0.1:2379"], Interceptors = null! }));
        var nullEntry = Assert.Single(Failures(new EtcdClientOptions { Endpoints = ["http://10.0.0.1:2379"], Interceptors = [null!] }));

        Assert.StartsWith("Interceptors", nullList, StringComparison.Ordinal);
        Assert.Equal(nullList, nullEntry);
        Assert.Empty(Failures(new EtcdClientOptions { Endpoints = ["http://10.0.0.1:2379"] }));
    }

    [Fact]
    public void NoEndpoints_FailsWithAnExampleOfWhatToGive()
    {
        var failure = Assert.Single(Failures(new EtcdClientOptions()));
        Assert.Contains("https://10.0.0.1:2379", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void EveryProblem_IsReported_EachSayingHowToFixIt()
    {
        var options = new EtcdClientOptions
        {
            Endpoints = ["unix:///x", "https://ok:2379"],
            CommandTimeout = TimeSpan.Zero,
            DefragmentTimeout = TimeSpan.FromSeconds(-1),
            QuotaBackendBytes = 0,
            Password = "x",
            Tls = new EtcdTlsOptions { CaFile = "/nonexistent/ca.crt", CertFile = "/nonexistent/client.crt" },
        };

        var failures = Failures(options);

        Assert.Contains(failures, f => f.Contains("unix", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("CommandTimeout", StringComparison.Ordinal) && f.Contains("5s", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("DefragmentTimeout", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("QuotaBackendBytes", StringComparison.Ordinal) && f.Contains("2147483648", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Password is set but Username", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("Tls.CaFile", StringComparison.Ordinal) && f.Contains("--cacert", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.Contains("Tls.CertFile and Tls.KeyFile go together", StringComparison.Ordinal));
    }

    [Fact]
    public void Client_RefusesInvalidOptions_ListingEveryFailure()
    {
        var error = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(() =>
            new EtcdMaintenanceClient(new EtcdClientOptions { Endpoints = [""], CommandTimeout = TimeSpan.Zero }));

        Assert.Equal(2, error.Failures.Count());
    }

    [Fact]
    public void TlsFiles_TurnTlsOnForEndpointsWithoutScheme()
    {
        var options = new EtcdClientOptions { Endpoints = ["10.0.0.1:2379"], Tls = new EtcdTlsOptions { Enabled = true } };

        Assert.True(options.ParseEndpoints()[0].UsesTls);
        Assert.False(new EtcdClientOptions { Endpoints = ["10.0.0.1:2379"] }.ParseEndpoints()[0].UsesTls);
    }
}
