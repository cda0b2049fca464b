using System.Globalization;
using System.Security.Cryptography;

namespace EtcdMaintenance.Manifests;

/// <summary>Saves edited documents safely: atomic replace, mode and owner kept, backup outside the file's directory, no lost updates.</summary>
public static class ManifestFile
{
    /// <summary>
    /// Writes a document back to the file it was loaded from. Refuses when the file changed on disk since it was loaded.
    /// Otherwise writes a timestamped backup of the file as it was (owner-only permissions, outside the file's directory),
    /// writes the new text to a hidden temporary file in the same directory, flushes it to disk, gives it the file's mode and
    /// owner, checks the file once more, and renames it over the file (an atomic replace: readers such as kubelet see the
    /// old file or the new one, never a partial one).
    /// </summary>
    /// <param name="document">A document loaded with <c>Load</c> (not <c>Parse</c>), usually edited.</param>
    /// <param name="options">Backup directory, dry run, clock; defaults when <see langword="null"/>.</param>
    /// <param name="cancellationToken">Cancels before the file is replaced; a file is never left half-written.</param>
    /// <returns>What was done, with the diff.</returns>
    /// <exception cref="ManifestException">
    /// <see cref="ManifestErrorCode.ChangedOnDisk"/>, <see cref="ManifestErrorCode.BackupDirectoryNotAllowed"/>,
    /// <see cref="ManifestErrorCode.OwnerNotPreserved"/>, <see cref="ManifestErrorCode.NoFile"/>. The file is untouched.
    /// </exception>
    /// <exception cref="IOException">The file or the backup could not be written; the file is untouched.</exception>
    /// <exception cref="UnauthorizedAccessException">Permission denied; the file is untouched.</exception>
    public static async Task<ManifestSaveResult> SaveAsync(EtcdYamlDocument document, ManifestSaveOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(document);
        options ??= new ManifestSaveOptions();
        var origin = document.Origin;
        if (origin.FilePath is null || origin.Bytes is null)
        {
            throw ManifestException.Create(ManifestErrorCode.NoFile, document.SourceName, null, null, null,
                "the document was parsed from text; load it from its file to save it");
        }

        var target = ResolveTarget(origin.FilePath);
        var diff = document.GetDiff();
        await EnsureUnchangedAsync(target, origin, document.SourceName, cancellationToken).ConfigureAwait(false);
        if (!document.IsModified || options.DryRun)
        {
            return new ManifestSaveResult(target, false, null, diff);
        }

        var directory = Path.GetDirectoryName(target)!;
        string? backup = null;
        if (options.CreateBackup)
        {
            var backupDirectory = Path.GetFullPath(options.BackupDirectory ?? ManifestSaveOptions.DefaultBackupDirectory);
            foreach (var forbidden in new[] { directory, Path.GetDirectoryName(origin.FilePath)! }.Distinct())
            {
                if (IsSameOrInside(backupDirectory, forbidden))
                {
                    throw ManifestException.Create(ManifestErrorCode.BackupDirectoryNotAllowed, document.SourceName, null, null, null,
                        $"the backup directory {backupDirectory} is the file's own directory or inside it; kubelet runs every file in its manifests directory, so a backup there would start a second etcd. Choose a directory elsewhere");
                }
            }

            backup = await WriteBackupAsync(backupDirectory, Path.GetFileName(target), origin.Bytes, options.TimeProvider, cancellationToken).ConfigureAwait(false);
        }

        await ReplaceAsync(target, document.ToBytes(), origin, document.SourceName, cancellationToken).ConfigureAwait(false);
        return new ManifestSaveResult(target, true, backup, diff);
    }

    private static string ResolveTarget(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is { } final ? final.FullName : info.FullName;
    }

    private static bool IsSameOrInside(string candidate, string directory)
    {
        var comparison = OperatingSystem.IsWindows() || OperatingSystem.IsMacOS() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal;
        var a = Path.TrimEndingDirectorySeparator(Path.GetFullPath(candidate)) + Path.DirectorySeparatorChar;
        var b = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory)) + Path.DirectorySeparatorChar;
        return a.StartsWith(b, comparison);
    }

    private static async Task EnsureUnchangedAsync(string target, DocumentOrigin origin, string sourceName, CancellationToken cancellationToken)
    {
        byte[] current;
        try
        {
            current = await File.ReadAllBytesAsync(target, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException ex)
        {
            throw ManifestException.Create(ManifestErrorCode.ChangedOnDisk, sourceName, null, null, null, "the file was deleted after it was loaded; nothing was written", ex);
        }

        if (!current.AsSpan().SequenceEqual(origin.Bytes))
        {
            throw ManifestException.Create(ManifestErrorCode.ChangedOnDisk, sourceName, null, null, null,
                "the file changed on disk after it was loaded; nothing was written. Load it again and redo the change");
        }
    }

    private static async Task<string> WriteBackupAsync(string backupDirectory, string fileName, byte[] bytes, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(backupDirectory);
        }
        else
        {
            Directory.CreateDirectory(backupDirectory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }

        var stamp = clock.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
        for (var attempt = 0; ; attempt++)
        {
            var path = Path.Combine(backupDirectory, attempt == 0 ? $"{fileName}.{stamp}.bak" : $"{fileName}.{stamp}-{attempt}.bak");
            try
            {
                await WriteNewFileAsync(path, bytes, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
                if (!OperatingSystem.IsWindows())
                {
                    // The creation mode is subject to the umask; make sure the backup is owner-only whatever it was.
                    File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
                }

                return path;
            }
            catch (IOException) when (File.Exists(path) && attempt < 100)
            {
                // Another backup has this name (two saves in the same millisecond): take the next one.
            }
        }
    }

    private static async Task ReplaceAsync(string target, byte[] bytes, DocumentOrigin origin, string sourceName, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(target)!;

        // Hidden (dot) name: kubelet ignores dot files in its manifests directory, so a leftover temp file never runs.
        var temp = Path.Combine(directory, $".{Path.GetFileName(target)}.{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6))}.tmp");
        var mode = OperatingSystem.IsWindows() ? default : File.GetUnixFileMode(target);
        try
        {
            await WriteNewFileAsync(temp, bytes, UnixFileMode.UserRead | UnixFileMode.UserWrite, cancellationToken).ConfigureAwait(false);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(temp, mode);
                if (OperatingSystem.IsLinux())
                {
                    KeepOwner(target, temp, sourceName);
                }
            }

            cancellationToken.ThrowIfCancellationRequested();
            await EnsureUnchangedAsync(target, origin, sourceName, cancellationToken).ConfigureAwait(false);
            File.Move(temp, target, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }

        if (OperatingSystem.IsLinux())
        {
            NativeMethods.FsyncDirectory(directory);
        }
    }

    private static void KeepOwner(string target, string temp, string sourceName)
    {
        if (!NativeMethods.TryGetOwner(target, out var uid, out var gid) || !NativeMethods.TryGetOwner(temp, out var tempUid, out var tempGid))
        {
            throw ManifestException.Create(ManifestErrorCode.OwnerNotPreserved, sourceName, null, null, null,
                "the file's owner could not be read, so it could not be kept; nothing was written");
        }

        if ((uid, gid) != (tempUid, tempGid) && NativeMethods.Chown(temp, uid, gid) is { } errno)
        {
            throw ManifestException.Create(ManifestErrorCode.OwnerNotPreserved, sourceName, null, null, null,
                $"the file belongs to {uid}:{gid} and the new file could not be given that owner (errno {errno}; run as root or as the owner); nothing was written");
        }
    }

    private static async Task WriteNewFileAsync(string path, byte[] bytes, UnixFileMode mode, CancellationToken cancellationToken)
    {
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, Options = FileOptions.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = mode;
        }

        var stream = new FileStream(path, fileOptions);
        await using (stream.ConfigureAwait(false))
        {
            await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
