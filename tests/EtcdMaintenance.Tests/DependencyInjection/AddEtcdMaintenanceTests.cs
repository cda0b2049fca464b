using System.Text;
using EtcdMaintenance.Tests.Infrastructure;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace EtcdMaintenance.Tests.DependencyInjection;

public sealed class AddEtcdMaintenanceTests
{
    private static IConfiguration Json(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();

    [Fact]
    public async Task CodeConfiguration_RegistersOneClient_TakesTheContainersClock_AndIsDisposedWithIt()
    {
        var clock = new FakeTimeProvider();
        var services = new ServiceCollection().AddSingleton<TimeProvider>(clock);
        services.AddEtcdMaintenance(o => o.Endpoints = ["https://10.0.0.1:2379,https://10.0.0.2:2379"]);
        var provider = services.BuildServiceProvider();

        var client = provider.GetRequiredService<IEtcdMaintenanceClient>();

        Assert.Same(client, provider.GetRequiredService<IEtcdMaintenanceClient>());
        Assert.Same(client, provider.GetRequiredService<EtcdMaintenanceClient>());
        Assert.Equal(["https://10.0.0.1:2379", "https://10.0.0.2:2379"], client.Endpoints.Select(e => e.Text));
        Assert.Same(clock, ((EtcdMaintenanceClient)client).TimeProvider);

        await provider.DisposeAsync();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => client.GetStatusAsync(client.Endpoints[0]));
    }

    [Fact]
    public void ConfigurationSection_BindsEndpointsTlsAndTimeouts()
    {
        var configuration = Json("""
            { "Etcd": { "Endpoints": [ "10.0.0.1:2379", "10.0.0.2:2379" ], "Username": "root", "Password": "pw",
                        "CommandTimeout": "00:00:07", "DefragmentTimeout": "00:05:00", "QuotaBackendBytes": "8589934592",
                        "Tls": { "Enabled": "true", "ServerName": "etcd.internal" } } }
            """);
        var services = new ServiceCollection().AddEtcdMaintenance(configuration.GetSection("Etcd"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<EtcdClientOptions>>().CurrentValue;
        var client = provider.GetRequiredService<IEtcdMaintenanceClient>();

        Assert.All(client.Endpoints, e => Assert.True(e.UsesTls));
        Assert.Equal(TimeSpan.FromSeconds(7), options.CommandTimeout);
        Assert.Equal(TimeSpan.FromMinutes(5), options.DefragmentTimeout);
        Assert.Equal(8589934592, options.QuotaBackendBytes);
        Assert.Equal("etcd.internal", options.Tls.ServerName);
        Assert.Equal("root", options.Username);
    }

    [Fact]
    public void EndpointsAsACommaList_BindToo()
    {
        var services = new ServiceCollection().AddEtcdMaintenance(Json("""{ "Etcd": { "Endpoints": "http://a:2379,http://b:2379" } }""").GetSection("Etcd"));
        using var provider = services.BuildServiceProvider();

        Assert.Equal(2, provider.GetRequiredService<IEtcdMaintenanceClient>().Endpoints.Count);
    }

    [Fact]
    public void NamedRegistrations_GiveOneClientPerCluster()
    {
        var services = new ServiceCollection()
            .AddEtcdMaintenance("prod", o => o.Endpoints = ["https://prod:2379"])
            .AddEtcdMaintenance("staging", Json("""{ "Endpoints": [ "https://staging:2379" ] }"""));
        using var provider = services.BuildServiceProvider();

        var prod = provider.GetRequiredKeyedService<IEtcdMaintenanceClient>("prod");
        var staging = provider.GetRequiredKeyedService<IEtcdMaintenanceClient>("staging");

        Assert.Equal("https://prod:2379", prod.Endpoints.Single().Text);
        Assert.Equal("https://staging:2379", staging.Endpoints.Single().Text);
        Assert.Null(provider.GetService<IEtcdMaintenanceClient>());
    }

    [Fact]
    public void InvalidOptions_FailAtStartUp_WithEveryReason()
    {
        var services = new ServiceCollection().AddEtcdMaintenance(o => { o.CommandTimeout = TimeSpan.Zero; o.Password = "x"; });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains(error.Failures, f => f.StartsWith("Endpoints is empty", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("CommandTimeout", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.StartsWith("Password is set but Username", StringComparison.Ordinal));
    }

    [Fact]
    public void BadConfigurationValue_NamesTheKey()
    {
        var services = new ServiceCollection().AddEtcdMaintenance(Json("""{ "Etcd": { "Endpoints": [ "a:1" ], "QuotaBackendBytes": "8GiB" } }""").GetSection("Etcd"));
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<IEtcdMaintenanceClient>());

        Assert.Contains("Etcd:QuotaBackendBytes", error.Message, StringComparison.Ordinal);
    }
}
