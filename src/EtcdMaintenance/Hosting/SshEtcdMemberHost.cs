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
    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) =>
        RemoteFlagFile.LoadAsync(_shell, ManifestPath, ParkedManifestPath, $"neither {ManifestPath} nor the parked {ParkedManifestPath} exists on the node; nothing was changed", cancellationToken);

    /// <inheritdoc />
    /// <exception cref="EtcdHostException">The manifest changed on the node since it was loaded (<see cref="EtcdHostErrorCode.ManifestChangedOnNode"/>), or a step failed; the manifest is then untouched.</exception>
    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default) =>
        RemoteFlagFile.SaveAsync(_shell, manifest, _paths.Staging, _paths.Backups, _timeProvider, dryRun, cancellationToken);

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
    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default) =>
        RemoteFlagFile.ArchiveDataDirectoryAsync(_shell, dataDirectory, $"[ ! -f {Q(ManifestPath)} ]",
            $"while {ManifestPath} is in place (the member is meant to run): stop it first", _timeProvider, cancellationToken);

    /// <summary>Closes the SSH connection.</summary>
    public ValueTask DisposeAsync() => _shell.DisposeAsync();

    private static string Q(string value) => ShellQuote.Quote(value);

    private Task<NodeCommandResult> RunAsync(string step, string script, CancellationToken cancellationToken) =>
        _shell.RunAsync(step, script.ReplaceLineEndings("\n"), cancellationToken);

    private void Expect(string step, NodeCommandResult result) => RemoteFlagFile.Expect(Name, step, result);
}
