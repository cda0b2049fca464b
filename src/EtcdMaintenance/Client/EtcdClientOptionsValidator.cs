using Microsoft.Extensions.Options;

namespace EtcdMaintenance;

/// <summary>
/// Validates <see cref="EtcdClientOptions"/>; every message says what is wrong and how to fix it. Registered by
/// <c>AddEtcdMaintenance</c> with <c>ValidateOnStart</c>, and applied by the client's constructor too.
/// </summary>
internal sealed class EtcdClientOptionsValidator : IValidateOptions<EtcdClientOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, EtcdClientOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        var tls = options.Tls ?? new EtcdTlsOptions();

        if (options.Endpoints is null || options.Endpoints.All(string.IsNullOrWhiteSpace))
        {
            failures.Add("Endpoints is empty: give at least one member's client URL, e.g. https://10.0.0.1:2379 (etcdctl --endpoints).");
        }
        else
        {
            foreach (var entry in options.Endpoints.Where(e => !string.IsNullOrWhiteSpace(e)))
            {
                foreach (var item in entry.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                {
                    if (!EtcdEndpoint.TryParse(item, tls.Enabled, out _, out var error))
                    {
                        failures.Add($"Endpoints: {error}");
                    }
                }
            }
        }

        if (options.Interceptors is null || options.Interceptors.Any(i => i is null))
        {
            failures.Add("Interceptors is null or holds a null entry: leave it empty for no interceptor, or add only instances.");
        }

        CheckPositive(failures, nameof(options.DialTimeout), options.DialTimeout, "2s, etcdctl's --dial-timeout default");
        CheckPositive(failures, nameof(options.CommandTimeout), options.CommandTimeout, "5s, etcdctl's --command-timeout default");
        CheckPositive(failures, nameof(options.DefragmentTimeout), options.DefragmentTimeout, "120s for defragment");
        CheckPositive(failures, nameof(options.SnapshotTimeout), options.SnapshotTimeout, "10 minutes");
        CheckPositive(failures, nameof(options.KeepAliveTime), options.KeepAliveTime, "10s");
        CheckPositive(failures, nameof(options.KeepAliveTimeout), options.KeepAliveTimeout, "6s, etcdctl's --keepalive-timeout default");

        if (options.QuotaBackendBytes is <= 0)
        {
            failures.Add($"QuotaBackendBytes is {options.QuotaBackendBytes}: give the members' --quota-backend-bytes in bytes (e.g. 2147483648 for etcd's 2 GiB default), or leave it unset.");
        }

        if (options.Username is not null && string.IsNullOrEmpty(options.Username))
        {
            failures.Add("Username is empty: set the etcd user name (etcdctl --user), or leave both Username and Password unset for a cluster without auth.");
        }

        if (options.Password is not null && options.Username is null)
        {
            failures.Add("Password is set but Username is not: set Username too (etcdctl --user NAME --password ...).");
        }

        if (options.Username is { Length: > 0 } && options.Password is null)
        {
            failures.Add($"Username '{options.Username}' has no Password: set Password (etcdctl --password).");
        }

        CheckFile(failures, "Tls.CaFile", tls.CaFile, "the CA certificate (etcdctl --cacert), e.g. /etc/kubernetes/pki/etcd/ca.crt");
        CheckFile(failures, "Tls.CertFile", tls.CertFile, "the client certificate (etcdctl --cert), e.g. /etc/kubernetes/pki/etcd/healthcheck-client.crt");
        CheckFile(failures, "Tls.KeyFile", tls.KeyFile, "the client key (etcdctl --key), e.g. /etc/kubernetes/pki/etcd/healthcheck-client.key");

        if ((tls.CertFile is null) != (tls.KeyFile is null))
        {
            failures.Add("Tls.CertFile and Tls.KeyFile go together: set both (etcdctl --cert and --key) or neither.");
        }

        if (tls.ClientCertificate is not null && tls.CertFile is not null)
        {
            failures.Add("Both Tls.ClientCertificate and Tls.CertFile are set: use one of them.");
        }

        if (tls.ClientCertificate is { HasPrivateKey: false })
        {
            failures.Add("Tls.ClientCertificate has no private key: load it with its key (e.g. X509Certificate2.CreateFromPemFile(cert, key)).");
        }

        if (tls.CaCertificate is not null && tls.CaFile is not null)
        {
            failures.Add("Both Tls.CaCertificate and Tls.CaFile are set: use one of them.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckPositive(List<string> failures, string name, TimeSpan value, string typical)
    {
        if (value <= TimeSpan.Zero)
        {
            failures.Add($"{name} is {value}: it must be positive (typically {typical}).");
        }
    }

    private static void CheckFile(List<string> failures, string name, string? path, string what)
    {
        if (path is not null && !File.Exists(path))
        {
            failures.Add($"{name} '{path}' does not exist: give the path of {what}.");
        }
    }
}
