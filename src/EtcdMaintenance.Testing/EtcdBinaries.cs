namespace EtcdMaintenance.Testing;

/// <summary>Finds the etcd and etcdctl binaries: <c>ETCD_BIN</c> / <c>ETCDCTL_BIN</c>, then next to etcd, then PATH.</summary>
public static class EtcdBinaries
{
    private static readonly Lazy<string> s_etcd = new(() => Locate("ETCD_BIN", "etcd", null));
    private static readonly Lazy<string> s_etcdctl = new(() => Locate("ETCDCTL_BIN", "etcdctl", Path.GetDirectoryName(s_etcd.Value)));

    /// <summary>The etcd server binary.</summary>
    /// <exception cref="InvalidOperationException">etcd is missing (a missing etcd fails a test run, it never skips it).</exception>
    public static string Etcd => s_etcd.Value;

    /// <summary>The etcdctl binary.</summary>
    public static string Etcdctl => s_etcdctl.Value;

    /// <summary>The version of <see cref="Etcd"/>, from its <c>--version</c> (the suite runs against 3.4 and 3.5).</summary>
    public static Version EtcdVersion => s_version.Value;

    /// <summary>Whether <see cref="Etcd"/> is 3.4, whose answers differ from 3.5's in places the tests check.</summary>
    public static bool IsEtcd34 => EtcdVersion < new Version(3, 5);

    private static readonly Lazy<Version> s_version = new(() => EtcdMaintenance.Operations.EtcdBinaryVersion.ReadAsync(Etcd).GetAwaiter().GetResult());

    private static string Locate(string variable, string name, string? besides)
    {
        var configured = Environment.GetEnvironmentVariable(variable);
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured)
                ? configured
                : throw new InvalidOperationException($"{variable} is set to '{configured}', which does not exist.");
        }

        var candidates = new List<string>();
        if (besides is not null)
        {
            candidates.Add(Path.Combine(besides, name));
        }

        candidates.AddRange((Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)));

        return candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException(
                $"{name} was not found on PATH and {variable} is not set. Install it (Debian/Ubuntu: apt-get install -y etcd-server etcd-client) or set {variable}.");
    }
}
