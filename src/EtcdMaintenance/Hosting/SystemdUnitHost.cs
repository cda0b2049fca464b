using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// The systemd-unit strategy, on whatever node its shell runs on (<see cref="SshSystemdMemberHost"/> over SSH,
/// <see cref="LocalSystemdMemberHost"/> on this node): <c>systemctl stop|start|restart|is-active UNIT</c>, the flags in
/// the unit's environment or configuration file, loaded (once <c>systemctl show</c> says the unit is loaded) and saved
/// through <see cref="RemoteFlagFile"/>.
/// </summary>
internal sealed class SystemdUnitHost
{
    private readonly INodeShell _shell;
    private readonly SystemdUnitOptions _unit;
    private readonly TimeProvider _timeProvider;

    /// <exception cref="ArgumentException">The unit name or systemctl command is empty, or a path is not absolute.</exception>
    public SystemdUnitHost(INodeShell shell, SystemdUnitOptions unit, TimeProvider timeProvider)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(unit.Unit, nameof(unit));
        ArgumentException.ThrowIfNullOrWhiteSpace(unit.SystemctlCommand, nameof(unit));
        foreach (var path in new[] { unit.FlagFilePath, unit.Staging, unit.Backups })
        {
            RemotePath.Absolute(path, nameof(unit));
        }

        _shell = shell;
        _unit = unit;
        _timeProvider = timeProvider;
    }

    public string Node => _shell.Node;

    public string FlagFilePath => _unit.FlagFilePath;

    public string Unit => _unit.Unit;

    /// <summary>The shell command that stops (<c>stop</c>) or starts (<c>start</c>) the unit, for plans.</summary>
    public string Command(string verb) => $"{_unit.SystemctlCommand} {verb} {ShellQuote.Quote(Unit)}";

    /// <summary>Checks that the unit is known to systemd on the node, then loads its flag file.</summary>
    /// <exception cref="EtcdHostException">The unit is not loaded (a wrong unit name) or the flag file is missing; nothing was changed.</exception>
    public async Task<EtcdFlagFile> LoadAsync(CancellationToken cancellationToken)
    {
        // Before anything reads or writes: an operation that loads the flags first then stops with nothing changed.
        var step = $"check {Unit}";
        var result = await _shell.RunAsync(step, $"{_unit.SystemctlCommand} show --property=LoadState --value {ShellQuote.Quote(Unit)}", cancellationToken).ConfigureAwait(false);
        RemoteFlagFile.Expect(Node, step, result);
        var state = result.Output.Trim();
        if (state != "loaded")
        {
            throw new EtcdHostException(Node, step, EtcdHostErrorCode.CommandFailed, $"systemd has no unit {Unit} loaded on the node (LoadState={state}): check the unit name; nothing was changed");
        }

        return await RemoteFlagFile.LoadAsync(_shell, FlagFilePath, FlagFilePath, $"{FlagFilePath} (the flag file of {Unit}) does not exist on the node; nothing was changed", cancellationToken).ConfigureAwait(false);
    }

    public Task<ManifestSaveResult> SaveAsync(EtcdFlagFile manifest, bool dryRun, CancellationToken cancellationToken) =>
        RemoteFlagFile.SaveAsync(_shell, manifest, _unit.Staging, _unit.Backups, _timeProvider, dryRun, cancellationToken);

    public async Task<bool> IsActiveAsync(CancellationToken cancellationToken)
    {
        var result = await _shell.RunAsync("check unit active", IsActive, cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    public async Task SystemctlAsync(string verb, CancellationToken cancellationToken)
    {
        var step = $"{verb} {Unit}";
        var result = await _shell.RunAsync(step, Command(verb), cancellationToken).ConfigureAwait(false);
        RemoteFlagFile.Expect(Node, step, result);
    }

    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken) =>
        RemoteFlagFile.ArchiveDataDirectoryAsync(_shell, dataDirectory, $"! {IsActive}", $"while {Unit} is active: stop it first", _timeProvider, cancellationToken);

    private string IsActive => $"{_unit.SystemctlCommand} is-active --quiet {ShellQuote.Quote(Unit)}";
}
