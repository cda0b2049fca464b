using EtcdMaintenance.IntegrationTests.Harness;

namespace EtcdMaintenance.IntegrationTests.Doctor;

public sealed class DoctorAuthFixture : IAsyncLifetime
{
    public const string RootPassword = "pa:ss-root";

    public EtcdTestCluster Cluster { get; private set; } = null!;

    public async ValueTask InitializeAsync() => Cluster = await EtcdTestCluster.StartAsync(new EtcdClusterOptions { Members = 1, RootPassword = RootPassword });

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}

/// <summary>etcd-doctor's <c>--user</c> and <c>--password</c> against a real cluster with auth enabled, as etcdctl reads them.</summary>
public sealed class DoctorAuthTests(DoctorAuthFixture fixture) : IClassFixture<DoctorAuthFixture>
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromMinutes(2);

    private EtcdTestCluster Cluster => fixture.Cluster;

    private Task<(int ExitCode, string Stdout, string Stderr)> DoctorAsync(params string[] arguments) =>
        EtcdDoctorProcess.RunAsync(s_timeout, [.. arguments, $"--endpoints={Cluster.Endpoints}"]);

    [Fact]
    public async Task UserWithPassword_IsSplitAtTheFirstColon_AsEtcdctlSplitsIt()
    {
        // The password itself holds a colon: etcdctl splits --user at the first one.
        var etcdctl = await Cluster.RunEtcdctlAsync(["--user", $"root:{DoctorAuthFixture.RootPassword}", "alarm", "list"], asRoot: false);
        Assert.True(etcdctl.ExitCode == 0, etcdctl.Stderr);

        var (exitCode, stdout, stderr) = await DoctorAsync("alarm", "list", "--user", $"root:{DoctorAuthFixture.RootPassword}", "-o", "json");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("[]", stdout.Trim());
    }

    [Fact]
    public async Task UserAndPasswordFlags_AreUsedAsGiven()
    {
        var (exitCode, _, stderr) = await DoctorAsync("alarm", "list", "--user", "root", "--password", DoctorAuthFixture.RootPassword, "-o", "json");

        Assert.True(exitCode == 0, stderr);
    }

    [Fact]
    public async Task WrongPassword_FailsWithOneLine_ThatHoldsNoPassword()
    {
        var (exitCode, _, stderr) = await DoctorAsync("alarm", "list", "--user", "root:wrong-guess");

        Assert.Equal(1, exitCode);
        Assert.StartsWith("etcd-doctor: ", stderr, StringComparison.Ordinal);
        Assert.Contains("Auth.Authenticate", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-guess", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EmptyUserName_IsABadInputError_BeforeAnyCall()
    {
        var (exitCode, _, stderr) = await DoctorAsync("alarm", "list", "--user", ":wrong-guess");

        Assert.Equal(1, exitCode);
        Assert.Contains("etcd-doctor: The etcd user name is empty", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-guess", stderr, StringComparison.Ordinal);
    }
}
