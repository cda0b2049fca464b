using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Hosting;

/// <summary>The save settings a host was configured with, for one save that may be a dry run.</summary>
internal static class HostSaveOptions
{
    public static ManifestSaveOptions ForSave(this ManifestSaveOptions configured, bool dryRun) => new()
    {
        BackupDirectory = configured.BackupDirectory,
        CreateBackup = configured.CreateBackup,
        TimeProvider = configured.TimeProvider,
        DryRun = dryRun || configured.DryRun,
    };
}
