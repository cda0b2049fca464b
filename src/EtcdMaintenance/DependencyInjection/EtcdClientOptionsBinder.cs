using System.Globalization;
using EtcdMaintenance;
using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Reads <see cref="EtcdClientOptions"/> from a configuration section without reflection (trimming- and AOT-safe):
/// <c>Endpoints</c> (an array or a comma list), <c>Tls:{Enabled,CaFile,CertFile,KeyFile,ServerName}</c>, <c>Username</c>,
/// <c>Password</c>, <c>DialTimeout</c>, <c>CommandTimeout</c>, <c>DefragmentTimeout</c>, <c>SnapshotTimeout</c>,
/// <c>KeepAliveTime</c>, <c>KeepAliveTimeout</c> (TimeSpan text such as <c>00:02:00</c>) and <c>QuotaBackendBytes</c>. Certificate objects can only be set in code.
/// </summary>
internal static class EtcdClientOptionsBinder
{
    public static void Bind(IConfiguration section, EtcdClientOptions options)
    {
        var endpoints = section.GetSection(nameof(EtcdClientOptions.Endpoints));
        var items = endpoints.GetChildren().Select(c => c.Value).Where(v => !string.IsNullOrWhiteSpace(v)).Select(v => v!).ToList();
        if (items.Count > 0)
        {
            options.Endpoints = items;
        }
        else if (!string.IsNullOrWhiteSpace(endpoints.Value))
        {
            options.Endpoints = [endpoints.Value];
        }

        var tls = section.GetSection(nameof(EtcdClientOptions.Tls));
        if (tls[nameof(EtcdTlsOptions.Enabled)] is { } enabled)
        {
            options.Tls.Enabled = Parse<bool>(tls, nameof(EtcdTlsOptions.Enabled), enabled, bool.TryParse);
        }

        options.Tls.CaFile = tls[nameof(EtcdTlsOptions.CaFile)] ?? options.Tls.CaFile;
        options.Tls.CertFile = tls[nameof(EtcdTlsOptions.CertFile)] ?? options.Tls.CertFile;
        options.Tls.KeyFile = tls[nameof(EtcdTlsOptions.KeyFile)] ?? options.Tls.KeyFile;
        options.Tls.ServerName = tls[nameof(EtcdTlsOptions.ServerName)] ?? options.Tls.ServerName;
        options.Username = section[nameof(EtcdClientOptions.Username)] ?? options.Username;
        options.Password = section[nameof(EtcdClientOptions.Password)] ?? options.Password;
        options.DialTimeout = ReadTimeSpan(section, nameof(EtcdClientOptions.DialTimeout)) ?? options.DialTimeout;
        options.CommandTimeout = ReadTimeSpan(section, nameof(EtcdClientOptions.CommandTimeout)) ?? options.CommandTimeout;
        options.DefragmentTimeout = ReadTimeSpan(section, nameof(EtcdClientOptions.DefragmentTimeout)) ?? options.DefragmentTimeout;
        options.SnapshotTimeout = ReadTimeSpan(section, nameof(EtcdClientOptions.SnapshotTimeout)) ?? options.SnapshotTimeout;
        options.KeepAliveTime = ReadTimeSpan(section, nameof(EtcdClientOptions.KeepAliveTime)) ?? options.KeepAliveTime;
        options.KeepAliveTimeout = ReadTimeSpan(section, nameof(EtcdClientOptions.KeepAliveTimeout)) ?? options.KeepAliveTimeout;
        if (section[nameof(EtcdClientOptions.QuotaBackendBytes)] is { } quota)
        {
            options.QuotaBackendBytes = Parse(section, nameof(EtcdClientOptions.QuotaBackendBytes), quota,
                (string s, out long v) => long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out v));
        }
    }

    private delegate bool TryParser<T>(string text, out T value);

    private static TimeSpan? ReadTimeSpan(IConfiguration section, string key) =>
        section[key] is { } text ? Parse(section, key, text, (string s, out TimeSpan v) => TimeSpan.TryParse(s, CultureInfo.InvariantCulture, out v)) : null;

    private static T Parse<T>(IConfiguration section, string key, string text, TryParser<T> parse) =>
        parse(text, out var value)
            ? value
            : throw new InvalidOperationException($"Configuration value '{(section as IConfigurationSection)?.Path ?? "Etcd"}:{key}' = '{text}' is not a valid {typeof(T).Name}.");
}
