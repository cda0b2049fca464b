namespace EtcdMaintenance.Tests.Parsing;

/// <summary>
/// The captured and hand-written etcdctl outputs under Parsing/Fixtures, read from the source tree (the test project
/// does not copy them). <c>etcd-3.4.23/</c> holds real captures made by the integration tests
/// (DegradedClusterFixture, ETCDMAINTENANCE_CAPTURE_FIXTURES): 3 members, NOSPACE, one follower stopped.
/// </summary>
public static class Fixtures
{
    private static readonly Lazy<string> s_root = new(FindRoot);

    public static string Read(string relativePath) => File.ReadAllText(Path.Combine(s_root.Value, relativePath));

    public static string RealPath(string command, string format) => Path.Combine(s_root.Value, $"etcd-3.4.23/{command}.{format}.stdout.txt");

    /// <summary>A real etcdctl 3.4.23 capture: standard output, or standard error then standard output (2&gt;&amp;1).</summary>
    public static string Real(string command, string format, bool withStandardError = false) =>
        (withStandardError ? Read($"etcd-3.4.23/{command}.{format}.stderr.txt") : string.Empty) + Read($"etcd-3.4.23/{command}.{format}.stdout.txt");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "EtcdMaintenance.sln")))
            {
                return Path.Combine(directory.FullName, "tests", "EtcdMaintenance.Tests", "Parsing", "Fixtures");
            }
        }

        throw new DirectoryNotFoundException("EtcdMaintenance.sln not found above " + AppContext.BaseDirectory);
    }
}
