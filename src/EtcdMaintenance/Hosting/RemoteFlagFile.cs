using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// Reads and saves a file of etcd's flags on a node, another over SSH or this one: loaded with its bytes (to refuse a save
/// over a change made on the node meanwhile); saved to a staging directory on the same filesystem, given the old file's
/// mode and owner, renamed into place (atomic), with an owner-only backup of the old file elsewhere.
/// </summary>
internal static class RemoteFlagFile
{
    /// <summary>Loads the file at <paramref name="path"/>, else at <paramref name="fallbackPath"/> (a parked manifest); exit code 3 when neither exists.</summary>
    public static async Task<EtcdFlagFile> LoadAsync(INodeShell shell, string path, string fallbackPath, string missing, CancellationToken cancellationToken)
    {
        const string Step = "load manifest";
        var result = await shell.RunAsync(Step, $$"""
            m={{Q(path)}}; p={{Q(fallbackPath)}}
            if [ -f "$m" ]; then f=$m; elif [ -f "$p" ]; then f=$p; else exit 3; fi
            printf '%s\n' "$f"; base64 -w0 -- "$f"
            """.ReplaceLineEndings("\n"), cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 3)
        {
            throw new EtcdHostException(shell.Node, Step, EtcdHostErrorCode.ManifestMissing, missing);
        }

        Expect(shell.Node, Step, result);
        var newline = result.Output.IndexOf('\n', StringComparison.Ordinal);
        var loaded = result.Output[..newline];
        var bytes = Convert.FromBase64String(result.Output[(newline + 1)..].Trim());
        return EtcdFlagFile.Parse(Encoding.UTF8.GetString(bytes), $"{shell.Node}:{loaded}");
    }

    /// <summary>Saves a document loaded by <see cref="LoadAsync"/> back where it was loaded from.</summary>
    public static async Task<ManifestSaveResult> SaveAsync(INodeShell shell, EtcdFlagFile document, string staging, string backups, TimeProvider timeProvider, bool dryRun, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(document);
        const string Step = "save manifest";
        var prefix = shell.Node + ":";
        if (!document.SourceName.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The manifest {document.SourceName} was not loaded from node {shell.Node}.", nameof(document));
        }

        var path = document.SourceName[prefix.Length..];
        var diff = document.GetDiff();
        var loaded = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(document.HasByteOrderMark ? "\uFEFF" + document.OriginalText : document.OriginalText)));
        var write = document.IsModified && !dryRun;
        var stamp = timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
        var name = RemotePath.FileName(path);
        var result = await shell.RunAsync(Step, $$"""
            f={{Q(path)}}; stage={{Q(staging)}}; backups={{Q(backups)}}; t=
            unchanged() { [ -f "$f" ] && [ "$(sha256sum < "$f" | cut -d' ' -f1)" = {{loaded}} ]; }
            unchanged || exit 4
            [ {{(write ? 1 : 0)}} = 1 ] || exit 0
            umask 077; mkdir -p -- "$stage" "$backups"
            [ "$(stat -c %d -- "$stage")" = "$(stat -c %d -- "$(dirname -- "$f")")" ] || { echo "$stage is not on the filesystem of $f: the rename would not be atomic" >&2; exit 5; }
            b="$backups"/{{Q(name + "." + stamp + ".bak")}}
            [ ! -e "$b" ] || exit 6
            trap '[ -z "$t" ] || rm -f -- "$t"' EXIT
            cp -- "$f" "$b" && chmod 600 -- "$b"
            t=$(mktemp -p "$stage" {{Q("." + name + ".XXXXXX.tmp")}})
            printf '%s' {{Convert.ToBase64String(document.ToBytes())}} | base64 -d > "$t"
            chmod --reference="$f" -- "$t" && chown --reference="$f" -- "$t" && sync -- "$t"
            unchanged || exit 4
            mv -f -- "$t" "$f" && t=
            sync -- "$(dirname -- "$f")" || true
            printf '%s\n' "$b"
            """.ReplaceLineEndings("\n"), cancellationToken).ConfigureAwait(false);
        switch (result.ExitCode)
        {
            case 4:
                throw new EtcdHostException(shell.Node, Step, EtcdHostErrorCode.ManifestChangedOnNode, $"{path} changed (or went away) on the node after it was loaded; nothing was written. Load it again and redo the change");
            case 6:
                throw new EtcdHostException(shell.Node, Step, EtcdHostErrorCode.TargetExists, $"a backup named {name}.{stamp}.bak exists already in {backups}; nothing was written");
        }

        Expect(shell.Node, Step, result);
        return write
            ? new ManifestSaveResult(path, true, result.Output.Trim(), diff)
            : new ManifestSaveResult(path, false, null, diff);
    }

    /// <summary>
    /// Renames a data dir to <c>DIR.replaced-STAMP</c> (or, when it is a mount point, its <c>member</c> directory to
    /// <c>DIR/member.replaced-STAMP</c>); refused unless <paramref name="stoppedTest"/> (a shell test) says the member is stopped.
    /// </summary>
    public static async Task<string?> ArchiveDataDirectoryAsync(INodeShell shell, string dataDirectory, string stoppedTest, string running, TimeProvider timeProvider, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        const string Step = "archive data dir";
        var stamp = timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var directory = RemotePath.TrimEnd(RemotePath.Absolute(dataDirectory, nameof(dataDirectory)));
        var result = await shell.RunAsync(Step, $$"""
            d={{Q(directory)}}
            {{stoppedTest}} || exit 7
            [ -d "$d" ] || exit 0
            if mountpoint -q -- "$d"; then src="$d/member"; t="$d/member.replaced-{{stamp}}"; [ -d "$src" ] || exit 0
            else src=$d; t="$d.replaced-{{stamp}}"; fi
            [ ! -e "$t" ] || { printf '%s\n' "$t" >&2; exit 6; }
            mv -- "$src" "$t" && printf '%s\n' "$t"
            """.ReplaceLineEndings("\n"), cancellationToken).ConfigureAwait(false);
        switch (result.ExitCode)
        {
            case 7:
                throw new EtcdHostException(shell.Node, Step, EtcdHostErrorCode.MemberRunning, $"refusing to move {directory} aside {running}");
            case 6:
                throw new EtcdHostException(shell.Node, Step, EtcdHostErrorCode.TargetExists, $"{result.Error.Trim()} exists already; nothing was moved");
        }

        Expect(shell.Node, Step, result);
        return result.Output.Trim() is { Length: > 0 } target ? target : null;
    }

    /// <summary>Throws <see cref="EtcdHostErrorCode.CommandFailed"/> for a non-zero exit.</summary>
    public static void Expect(string node, string step, NodeCommandResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new EtcdHostException(node, step, EtcdHostErrorCode.CommandFailed, $"the command exited {result.ExitCode}: {result.Error.Trim()}");
        }
    }

    private static string Q(string value) => ShellQuote.Quote(value);
}
