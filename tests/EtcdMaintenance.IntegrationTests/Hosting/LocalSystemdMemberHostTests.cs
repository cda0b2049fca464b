using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Doctor;
using EtcdMaintenance.Manifests;
using EtcdMaintenance.Operations;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>Two one-member units on this machine for <see cref="LocalSystemdMemberHostTests"/>: one with an environment file, one with a config file.</summary>
public sealed class LocalSystemdUnits : IAsyncLifetime
{
    public const long OldQuota = 16 * 1024 * 1024;

    public string Root { get; } = Directory.CreateTempSubdirectory("etcd-local-systemd-").FullName;

    public SystemdUnitFixture EnvUnit { get; private set; } = null!;

    public SystemdUnitFixture ConfigUnit { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        EnvUnit = await SystemdUnitFixture.StartAsync(Path.Combine(Root, "env"), Path.Combine(Root, "env", "bin"), OldQuota);
        ConfigUnit = await SystemdUnitFixture.StartAsync(Path.Combine(Root, "config"), Path.Combine(Root, "config", "bin"), OldQuota, SystemdFlagFileKind.ConfigFile);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var unit in new[] { EnvUnit, ConfigUnit })
        {
            if (unit is not null)
            {
                await unit.DisposeAsync();
            }
        }

        Directory.Delete(Root, recursive: true);
    }
}

/// <summary>
/// systemd-unit mode on the member's own node (no SSH): <see cref="LocalSystemdMemberHost"/> runs the unit commands here
/// (the <see cref="SystemdUnitFixture"/> stand-in for systemctl) against a real etcd, and QuotaRaise, unchanged, raises the
/// quota through the unit's environment file or etcd's configuration file.
/// </summary>
public sealed class LocalSystemdMemberHostTests(LocalSystemdUnits units) : IClassFixture<LocalSystemdUnits>
{
    [Fact]
    public async Task Raise_ThroughTheEnvironmentFile_OnThisNode_RestartsTheUnit_AndChangesOnlyTheQuotaBytes()
    {
        var unit = units.EnvUnit;
        await using var client = unit.CreateClient();
        var host = new LocalSystemdMemberHost(unit.Options);
        var modeBefore = File.GetUnixFileMode(unit.EnvFile);
        var pidBefore = unit.Pid;
        await client.PutAsync("/before", "kept"u8.ToArray());

        Assert.Equal(System.Net.Dns.GetHostName(), host.Name);
        Assert.True(await host.IsStartedAsync());
        Assert.Equal(EtcdFlagFileKind.EnvironmentFile, (await host.LoadManifestAsync()).Kind);
        var running = await Assert.ThrowsAsync<EtcdHostException>(() => host.ArchiveDataDirectoryAsync(unit.DataDir));
        Assert.Equal(EtcdHostErrorCode.MemberRunning, running.ErrorCode);

        var newQuota = QuotaBackendBytes.Parse("64MiB");
        var report = await new QuotaRaise(client, [host], new QuotaRaiseOptions { NewQuota = newQuota }).ExecuteAsync();

        await unit.AssertQuotaRaisedThroughFlagFileAsync(report, newQuota, pidBefore, modeBefore, client, keptKey: "/before");
        Assert.Empty(Directory.GetFiles(Path.Combine(unit.Root, "etcd-maintenance", "staging")));
    }

    [Fact]
    public async Task UnitCommandFails_ThrowsNamingTheNodeAndTheStep_AndChangesNothing()
    {
        var unit = units.EnvUnit;
        var pidBefore = unit.Pid;
        var flagsBefore = File.ReadAllText(unit.EnvFile);
        await using var client = unit.CreateClient();
        var host = new LocalSystemdMemberHost(new SystemdUnitOptions { Unit = "etcd-missing.service", FlagFilePath = unit.EnvFile, SystemctlCommand = unit.Systemctl });

        // A wrong unit stops a quota raise when it loads the flags, before anything is written.
        var raise = await Assert.ThrowsAsync<EtcdHostException>(() => new QuotaRaise(client, [host], new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("128MiB") }).ExecuteAsync());
        var stop = await Assert.ThrowsAsync<EtcdHostException>(() => host.StopAsync());
        var restart = await Assert.ThrowsAsync<EtcdHostException>(() => host.ApplyManifestAsync());

        Assert.Equal((System.Net.Dns.GetHostName(), "check etcd-missing.service", EtcdHostErrorCode.CommandFailed), (raise.Node, raise.Step, raise.ErrorCode));
        Assert.Contains("LoadState=not-found", raise.Message, StringComparison.Ordinal);
        Assert.Equal((System.Net.Dns.GetHostName(), "stop etcd-missing.service", EtcdHostErrorCode.CommandFailed), (stop.Node, stop.Step, stop.ErrorCode));
        Assert.Contains("Unit etcd-missing.service not found", stop.Message, StringComparison.Ordinal);
        Assert.Equal(("restart etcd-missing.service", EtcdHostErrorCode.CommandFailed), (restart.Step, restart.ErrorCode));
        Assert.False(await host.IsStartedAsync());
        Assert.NotNull(pidBefore);
        Assert.Equal(pidBefore, unit.Pid);
        Assert.Equal(flagsBefore, File.ReadAllText(unit.EnvFile));
    }

    [Fact]
    public async Task FlagFileMissing_QuotaRaiseStopsWithTheNodeAndTheStep_AndChangesNothing()
    {
        var unit = units.EnvUnit;
        var pidBefore = unit.Pid;
        await using var client = unit.CreateClient();
        var missing = Path.Combine(unit.Root, "etc", "no-such.env");
        var host = new LocalSystemdMemberHost(new SystemdUnitOptions { Unit = SystemdUnitFixture.Unit, FlagFilePath = missing, SystemctlCommand = unit.Systemctl });

        var error = await Assert.ThrowsAsync<EtcdHostException>(() => new QuotaRaise(client, [host], new QuotaRaiseOptions { NewQuota = QuotaBackendBytes.Parse("128MiB") }).ExecuteAsync());

        Assert.Equal((System.Net.Dns.GetHostName(), "load manifest", EtcdHostErrorCode.ManifestMissing), (error.Node, error.Step, error.ErrorCode));
        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(missing));
        Assert.NotNull(pidBefore);
        Assert.Equal(pidBefore, unit.Pid);
    }

    [Fact]
    public async Task EtcdDoctorRaiseQuota_WithSystemdUnitAndConfigFile_OnThisNode_ChangesOnlyTheQuotaBytes()
    {
        var unit = units.ConfigUnit;
        var pidBefore = unit.Pid;
        var path = $"{Path.GetDirectoryName(unit.Systemctl)}:{Environment.GetEnvironmentVariable("PATH")}";

        var (exitCode, stdout, stderr) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(3), stdin: null, new Dictionary<string, string?> { ["PATH"] = path },
            "raise-quota", "--to", "32MiB", "--endpoints", unit.ClientUrl, "--systemd-unit", SystemdUnitFixture.Unit, "--config-file", unit.ConfigFile);

        Assert.True(exitCode == 0, $"exit {exitCode}: {stderr}\n{stdout}");
        Assert.Equal(EtcdFlagFileKind.EtcdConfigFile, EtcdFlagFile.Load(unit.ConfigFile).Kind);
        Assert.Equal(unit.OriginalFlagsWithQuota(33554432), File.ReadAllText(unit.ConfigFile));
        Assert.NotNull(unit.Pid);
        Assert.NotEqual(pidBefore, unit.Pid);
        await using var client = unit.CreateClient();
        Assert.Equal(QuotaBackendBytes.Parse("32MiB").Bytes, (await client.GetStatusAsync(EtcdEndpoint.Parse(unit.ClientUrl))).DbSizeQuota);

        // --manifest is a static pod's: with --systemd-unit it is refused before anything runs.
        var (refused, _, error) = await EtcdDoctorProcess.RunAsync(TimeSpan.FromMinutes(1),
            "raise-quota", "--to", "48MiB", "--endpoints", unit.ClientUrl, "--systemd-unit", SystemdUnitFixture.Unit, "--manifest", unit.ConfigFile);
        Assert.NotEqual(0, refused);
        Assert.Contains("--systemd-unit takes its flags from --env-file or --config-file", error, StringComparison.Ordinal);
        Assert.Contains("quota-backend-bytes: 33554432\n", File.ReadAllText(unit.ConfigFile), StringComparison.Ordinal);
    }
}
