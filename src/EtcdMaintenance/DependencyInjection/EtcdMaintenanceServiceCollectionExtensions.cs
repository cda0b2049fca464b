using EtcdMaintenance;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers <see cref="IEtcdMaintenanceClient"/> in a service collection.</summary>
public static class EtcdMaintenanceServiceCollectionExtensions
{
    /// <summary>
    /// Registers one <see cref="IEtcdMaintenanceClient"/> (a singleton, disposed with the container) configured in code;
    /// options are validated at start-up (<c>ValidateOnStart</c>). <see cref="ILogger{TCategoryName}"/> and
    /// <see cref="TimeProvider"/> come from the container when registered.
    /// </summary>
    public static IServiceCollection AddEtcdMaintenance(this IServiceCollection services, Action<EtcdClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddEtcdMaintenance(Options.Options.DefaultName, builder => builder.Configure(configure));
    }

    /// <summary>
    /// Registers one <see cref="IEtcdMaintenanceClient"/> bound to a configuration section shaped like
    /// <c>"Etcd": { "Endpoints": [ "https://10.0.0.1:2379" ], "Tls": { "CaFile": "...", "CertFile": "...", "KeyFile": "..." } }</c>.
    /// </summary>
    public static IServiceCollection AddEtcdMaintenance(this IServiceCollection services, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddEtcdMaintenance(Options.Options.DefaultName, builder => builder.Configure(options => EtcdClientOptionsBinder.Bind(section, options)));
    }

    /// <summary>
    /// Registers a named client for one of several clusters, resolved with
    /// <c>[FromKeyedServices("name")] IEtcdMaintenanceClient</c> or <c>GetRequiredKeyedService&lt;IEtcdMaintenanceClient&gt;("name")</c>.
    /// </summary>
    public static IServiceCollection AddEtcdMaintenance(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        return services.AddEtcdMaintenance(name, builder => builder.Configure(options => EtcdClientOptionsBinder.Bind(section, options)));
    }

    /// <summary>Registers a named client configured in code; see <see cref="AddEtcdMaintenance(IServiceCollection, string, IConfiguration)"/>.</summary>
    public static IServiceCollection AddEtcdMaintenance(this IServiceCollection services, string name, Action<EtcdClientOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        return services.AddEtcdMaintenance(name, builder => builder.Configure(configure));
    }

    private static IServiceCollection AddEtcdMaintenance(this IServiceCollection services, string name, Action<OptionsBuilder<EtcdClientOptions>> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        var builder = services.AddOptions<EtcdClientOptions>(name);
        configure(builder);
        builder.ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EtcdClientOptions>, EtcdClientOptionsValidator>());

        if (name == Options.Options.DefaultName)
        {
            services.TryAddSingleton(provider => Create(provider, name));
            services.TryAddSingleton<IEtcdMaintenanceClient>(provider => provider.GetRequiredService<EtcdMaintenanceClient>());
        }
        else
        {
            services.TryAddKeyedSingleton(name, (provider, _) => Create(provider, name));
            services.TryAddKeyedSingleton<IEtcdMaintenanceClient>(name, (provider, key) => provider.GetRequiredKeyedService<EtcdMaintenanceClient>(key));
        }

        return services;
    }

    private static EtcdMaintenanceClient Create(IServiceProvider provider, string name) => new(
        provider.GetRequiredService<IOptionsMonitor<EtcdClientOptions>>().Get(name),
        provider.GetService<ILogger<EtcdMaintenanceClient>>(),
        provider.GetService<TimeProvider>());
}
