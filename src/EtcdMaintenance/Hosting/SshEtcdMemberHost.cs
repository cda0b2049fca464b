using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// A member run by kubelet as a static pod on another node, reached over SSH. Stopping moves the manifest out of the
/// manifests directory (kubelet stops the pod), starting moves it back; saving writes the new manifest to a staging
/// directory on the same filesystem, gives it the old file's mode and owner and renames it into place (kubelet sees the
/// old file or the new one, and nothing of ours is ever left in its directory). Every step runs one shell command on the
/// node over one SSH connection, opened on first use and kept until <see cref="DisposeAsync"/>.
/// </summary>
/// <remarks>Not thread-safe for concurrent operations on one member: one operation drives a host at a time.</remarks>
public sealed class SshEtcdMemberHost : IEtcdMemberHost, IAsyncDisposable
{
    private readonly SshNodeShell _shell;
    private readonly StaticPodPaths _paths;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a host for the static-pod member on <paramref name="node"/>.</summary>
    /// <param name="node">The node's host name or address (see <see cref="NodeOf"/>).</param>
    /// <param name="ssh">How to log in.</param>
    /// <param name="paths">The manifest and this library's directories on the node; kubeadm's layout by default.</param>
    /// <param name="logger">Logs steps and accepted host keys.</param>
    /// <param name="timeProvider">The clock for backup and archive names.</param>
    /// <exception cref="ArgumentException">A path is not absolute, or a parking, staging or backup directory is inside the manifests directory.</exception>
    public SshEtcdMemberHost(string node, SshConnectionOptions ssh, StaticPodPaths? paths = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(node);
        ArgumentNullException.ThrowIfNull(ssh);
        _paths = paths ?? new StaticPodPaths();
        var manifestsDirectory = RemotePath.Directory(RemotePath.Absolute(_paths.ManifestPath, nameof(paths)));
        foreach (var (directory, what) in new[] { (_paths.Parking, "parking"), (_paths.Staging, "staging"), (_paths.Backups, "backup") })
        {
            if (RemotePath.IsSameOrInside(RemotePath.Absolute(directory, nameof(paths)), manifestsDirectory))
            {
                throw new ArgumentException($"The {what} directory {directory} is inside the kubelet manifests directory {manifestsDirectory}: kubelet would run what is put there. Choose a directory outside it.", nameof(paths));
            }
        }

        _shell = new SshNodeShell(node, ssh, logger ?? NullLogger.Instance);
        _timeProvider = timeProvider ?? TimeProvider.System;
        Name = node;
    }

    /// <inheritdoc />
    /// <remarks>The node.</remarks>
    public string Name { get; }

    /// <inheritdoc />
    public string ManifestPath => _paths.ManifestPath;

    /// <summary>Where the manifest is while the member is stopped.</summary>
    public string ParkedManifestPath => RemotePath.Combine(_paths.Parking, RemotePath.FileName(_paths.ManifestPath));

    /// <inheritdoc />
    public bool RestartsOnManifestChange => true;

    /// <summary>
    /// The node of a member: <paramref name="overrides"/>[member name] when given, otherwise the host of its first
    /// advertised peer URL (what <c>etcdctl member list</c> shows).
    /// </summary>
    /// <exception cref="ArgumentException">The member has no peer URL and no override.</exception>
    public static string NodeOf(EtcdMember member, IReadOnlyDictionary<string, string>? overrides = null)
    {
        ArgumentNullException.ThrowIfNull(member);
        if (overrides is not null && overrides.TryGetValue(member.Name, out var node))
        {
            return node;
        }

        return member.PeerUrls.Count > 0 && Uri.TryCreate(member.PeerUrls[0], UriKind.Absolute, out var url)
            ? url.IdnHost
            : throw new ArgumentException($"Member {member.Name} ({member.Id}) advertises no peer URL: name its node explicitly.", nameof(member));
    }

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">The node cannot be reached, or the manifest is neither in place nor parked (<see cref="EtcdHostErrorCode.ManifestMissing"/>).</exception>
    public async Task<EtcdManifest> LoadManifestAsync(CancellationToken cancellationToken = default)
    {
        const string Step = "load manifest";
        var result = await RunAsync(Step, $$"""
            m={{Q(ManifestPath)}}; p={{Q(ParkedManifestPath)}}
            if [ -f "$m" ]; then f=$m; elif [ -f "$p" ]; then f=$p; else exit 3; fi
            printf '%s\n' "$f"; base64 -w0 -- "$f"
            """, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 3)
        {
            throw new EtcdHostException(Name, Step, EtcdHostErrorCode.ManifestMissing, $"neither {ManifestPath} nor the parked {ParkedManifestPath} exists on the node; nothing was changed");
        }

        Expect(Step, result);
        var newline = result.Output.IndexOf('\n', StringComparison.Ordinal);
        var path = result.Output[..newline];
        var bytes = Convert.FromBase64String(result.Output[(newline + 1)..].Trim());
        return EtcdManifest.Parse(Encoding.UTF8.GetString(bytes), SourceName(path));
    }

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">The manifest changed on the node since it was loaded (<see cref="EtcdHostErrorCode.ManifestChangedOnNode"/>), or a step failed; the manifest is then untouched.</exception>
    public async Task<ManifestSaveResult> SaveManifestAsync(EtcdManifest manifest, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        const string Step = "save manifest";
        var prefix = Name + ":";
        if (!manifest.SourceName.StartsWith(prefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"The manifest {manifest.SourceName} was not loaded from node {Name}.", nameof(manifest));
        }

        var path = manifest.SourceName[prefix.Length..];
        var diff = manifest.GetDiff();
        var loaded = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(manifest.HasByteOrderMark ? "\uFEFF" + manifest.OriginalText : manifest.OriginalText)));
        var write = manifest.IsModified && !dryRun;
        var stamp = _timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss.fff'Z'", CultureInfo.InvariantCulture);
        var name = RemotePath.FileName(path);
        var result = await RunAsync(Step, $$"""
            f={{Q(path)}}; stage={{Q(_paths.Staging)}}; backups={{Q(_paths.Backups)}}; t=
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
            printf '%s' {{Convert.ToBase64String(manifest.ToBytes())}} | base64 -d > "$t"
            chmod --reference="$f" -- "$t" && chown --reference="$f" -- "$t" && sync -- "$t"
            unchanged || exit 4
            mv -f -- "$t" "$f" && t=
            sync -- "$(dirname -- "$f")" || true
            printf '%s\n' "$b"
            """, cancellationToken).ConfigureAwait(false);
        switch (result.ExitCode)
        {
            case 4:
                throw new EtcdHostException(Name, Step, EtcdHostErrorCode.ManifestChangedOnNode, $"{path} changed (or went away) on the node after it was loaded; nothing was written. Load it again and redo the change");
            case 6:
                throw new EtcdHostException(Name, Step, EtcdHostErrorCode.TargetExists, $"a backup named {name}.{stamp}.bak exists already in {_paths.Backups}; nothing was written");
        }

        Expect(Step, result);
        return write
            ? new ManifestSaveResult(path, true, result.Output.Trim(), diff)
            : new ManifestSaveResult(path, false, null, diff);
    }

    /// <inheritdoc />
    public Task ApplyManifestAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    /// <inheritdoc />
    public async Task<bool> IsStartedAsync(CancellationToken cancellationToken = default)
    {
        var result = await RunAsync("check manifest in place", $"[ -f {Q(ManifestPath)} ]", cancellationToken).ConfigureAwait(false);
        return result.ExitCode == 0;
    }

    /// <inheritdoc />
    /// <remarks>Moves the manifest to <see cref="ParkedManifestPath"/>; kubelet then stops the pod (the caller waits until the member stops answering).</remarks>
    /// <exception cref="EtcdHostException">A parked manifest exists already beside one in place (<see cref="EtcdHostErrorCode.TargetExists"/>): nothing is moved.</exception>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        const string Step = "stop member (park manifest)";
        var result = await RunAsync(Step, $$"""
            m={{Q(ManifestPath)}}; p={{Q(ParkedManifestPath)}}
            [ -f "$m" ] || exit 0
            [ ! -e "$p" ] || exit 6
            mkdir -p -- "$(dirname -- "$p")" && mv -- "$m" "$p"
            """, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 6)
        {
            throw new EtcdHostException(Name, Step, EtcdHostErrorCode.TargetExists, $"both {ManifestPath} and a parked {ParkedManifestPath} exist; nothing was moved. Keep the right one and remove the other");
        }

        Expect(Step, result);
    }

    /// <inheritdoc />
    /// <remarks>Moves the parked manifest back into the manifests directory; kubelet then starts the pod.</remarks>
    /// <exception cref="EtcdHostException">The manifest is neither in place nor parked (<see cref="EtcdHostErrorCode.ManifestMissing"/>).</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        const string Step = "start member (restore manifest)";
        var result = await RunAsync(Step, $$"""
            m={{Q(ManifestPath)}}; p={{Q(ParkedManifestPath)}}
            [ ! -f "$m" ] || exit 0
            [ -f "$p" ] || exit 3
            mv -- "$p" "$m"
            """, cancellationToken).ConfigureAwait(false);
        if (result.ExitCode == 3)
        {
            throw new EtcdHostException(Name, Step, EtcdHostErrorCode.ManifestMissing, $"neither {ManifestPath} nor the parked {ParkedManifestPath} exists on the node; nothing was changed");
        }

        Expect(Step, result);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Renames the data dir to <c>DIR.replaced-STAMP</c>; when the data dir is a mount point (a dedicated etcd disk, where
    /// the rename fails with EBUSY), renames its <c>member</c> directory to <c>DIR/member.replaced-STAMP</c> instead.
    /// </remarks>
    /// <exception cref="EtcdHostException">The member's manifest is in place (<see cref="EtcdHostErrorCode.MemberRunning"/>) or the target exists (<see cref="EtcdHostErrorCode.TargetExists"/>): nothing is moved.</exception>
    public async Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(dataDirectory);
        const string Step = "archive data dir";
        var stamp = _timeProvider.GetUtcNow().ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var directory = RemotePath.TrimEnd(RemotePath.Absolute(dataDirectory, nameof(dataDirectory)));
        var result = await RunAsync(Step, $$"""
            d={{Q(directory)}}
            [ ! -f {{Q(ManifestPath)}} ] || exit 7
            [ -d "$d" ] || exit 0
            if mountpoint -q -- "$d"; then src="$d/member"; t="$d/member.replaced-{{stamp}}"; [ -d "$src" ] || exit 0
            else src=$d; t="$d.replaced-{{stamp}}"; fi
            [ ! -e "$t" ] || { printf '%s\n' "$t" >&2; exit 6; }
            mv -- "$src" "$t" && printf '%s\n' "$t"
            """, cancellationToken).ConfigureAwait(false);
        switch (result.ExitCode)
        {
            case 7:
                throw new EtcdHostException(Name, Step, EtcdHostErrorCode.MemberRunning, $"refusing to move {directory} aside while {ManifestPath} is in place (the member is meant to run): stop it first");
            case 6:
                throw new EtcdHostException(Name, Step, EtcdHostErrorCode.TargetExists, $"{result.Error.Trim()} exists already; nothing was moved");
        }

        Expect(Step, result);
        return result.Output.Trim() is { Length: > 0 } target ? target : null;
    }

    /// <summary>Closes the SSH connection.</summary>
    public ValueTask DisposeAsync() => _shell.DisposeAsync();

    private static string Q(string value) => ShellQuote.Quote(value);

    private string SourceName(string path) => $"{Name}:{path}";

    private Task<NodeCommandResult> RunAsync(string step, string script, CancellationToken cancellationToken) =>
        _shell.RunAsync(step, script.ReplaceLineEndings("\n"), cancellationToken);

    private void Expect(string step, NodeCommandResult result)
    {
        if (result.ExitCode != 0)
        {
            throw new EtcdHostException(Name, step, EtcdHostErrorCode.CommandFailed, $"the command exited {result.ExitCode}: {result.Error.Trim()}");
        }
    }
}
