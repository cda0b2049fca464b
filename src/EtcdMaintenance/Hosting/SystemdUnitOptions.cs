namespace EtcdMaintenance.Hosting;

/// <summary>
/// How a member runs as a systemd unit (as kubespray runs etcd): the unit, the file that holds its flags (an environment
/// file of <c>ETCD_*</c> variables or etcd's configuration file, recognised from its content), and where this library
/// keeps its own files on the node: by default in <c>etcd-maintenance/</c> beside the flag file's directory
/// (<c>/etc/etcd-maintenance/</c> for <c>/etc/etcd.env</c>), on the same filesystem.
/// </summary>
public sealed class SystemdUnitOptions
{
    /// <summary>The default flag file: kubespray's environment file.</summary>
    public const string DefaultFlagFilePath = "/etc/etcd.env";

    /// <summary>The unit, e.g. <c>etcd.service</c>.</summary>
    public required string Unit { get; init; }

    /// <summary>The file that holds the member's flags: the unit's <c>EnvironmentFile=</c> or the file <c>--config-file</c> names.</summary>
    /// <value><see cref="DefaultFlagFilePath"/> by default.</value>
    public string FlagFilePath { get; init; } = DefaultFlagFilePath;

    /// <summary>Where a new flag file is written before it is renamed into place; on the flag file's filesystem.</summary>
    /// <value><see langword="null"/> by default: <c>etcd-maintenance/staging</c> beside the flag file's directory.</value>
    public string? StagingDirectory { get; init; }

    /// <summary>Where owner-only backups of replaced flag files go.</summary>
    /// <value><see langword="null"/> by default: <c>etcd-maintenance/backups</c> beside the flag file's directory.</value>
    public string? BackupDirectory { get; init; }

    /// <summary>
    /// The command that manages the unit, run by <c>sh</c> as <c>COMMAND stop|start|restart|is-active --quiet UNIT</c> and
    /// <c>COMMAND show --property=LoadState --value UNIT</c> (through sudo when an SSH connection asks for it); e.g. a
    /// wrapper script's absolute path.
    /// </summary>
    /// <value><c>systemctl</c> by default.</value>
    public string SystemctlCommand { get; init; } = "systemctl";

    internal string Staging => StagingDirectory ?? Beside("staging");

    internal string Backups => BackupDirectory ?? Beside("backups");

    private string Beside(string name) => RemotePath.Combine(RemotePath.Combine(RemotePath.Directory(RemotePath.Directory(FlagFilePath)), "etcd-maintenance"), name);
}
