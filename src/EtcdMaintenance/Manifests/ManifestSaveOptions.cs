using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance.Manifests;

/// <summary>How <see cref="ManifestFile.SaveAsync"/> writes a document.</summary>
public sealed class ManifestSaveOptions
{
    /// <summary>
    /// Where the backup of the file as it was goes. Never the file's own directory or one inside it: kubelet runs every file
    /// in its manifests directory, so a backup there would become a second etcd pod.
    /// </summary>
    /// <value><see langword="null"/> by default: <see cref="DefaultBackupDirectory"/>.</value>
    public string? BackupDirectory { get; set; }

    /// <summary>Whether to write a backup before replacing the file.</summary>
    /// <value><see langword="true"/> by default.</value>
    public bool CreateBackup { get; set; } = true;

    /// <summary>Whether to only check and report: return the diff, write nothing (neither the file nor a backup).</summary>
    /// <value><see langword="false"/> by default.</value>
    public bool DryRun { get; set; }

    /// <summary>The clock that timestamps backups.</summary>
    /// <value><see cref="TimeProvider.System"/> by default.</value>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>
    /// The default backup directory: <c>/var/lib/etcd-maintenance/backups</c>, or <c>etcd-maintenance\backups</c> under the
    /// common application data folder on Windows.
    /// </summary>
    public static string DefaultBackupDirectory => OperatingSystem.IsWindows()
        ? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.CommonApplicationData), "etcd-maintenance", "backups")
        : "/var/lib/etcd-maintenance/backups";
}

/// <summary>What <see cref="ManifestFile.SaveAsync"/> did.</summary>
public sealed record ManifestSaveResult
{
    /// <summary>Creates one; set every required property.</summary>
    public ManifestSaveResult()
    {
    }

    [SetsRequiredMembers]
    internal ManifestSaveResult(string path, bool written, string? backupPath, string diff)
    {
        Path = path;
        Written = written;
        BackupPath = backupPath;
        Diff = diff;
    }

    /// <summary>The file written (a symbolic link's final target).</summary>
    public required string Path { get; init; }

    /// <summary>Whether the file was replaced (false for a dry run or a document without changes).</summary>
    public required bool Written { get; init; }

    /// <summary>The backup written, if any.</summary>
    public string? BackupPath { get; init; }

    /// <summary>The unified diff of the change applied, or that would be applied by a dry run; empty when there is none.</summary>
    public required string Diff { get; init; }
}
