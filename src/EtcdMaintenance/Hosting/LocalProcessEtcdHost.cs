using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// A member run as a plain process on this machine, its command line kept in a manifest file shaped like a static pod
/// (so that the same manifest API edits it). Starting runs the manifest's etcd command; a PID file beside the manifest
/// lets a later process (a resumed operation) find and stop it. Not thread-safe: one operation drives a host at a time.
/// </summary>
public sealed class LocalProcessEtcdHost : IEtcdMemberHost
{
    private readonly string? _etcdBinary;
    private readonly ManifestSaveOptions _saveOptions;
    private readonly TimeProvider _timeProvider;
    private LocalEtcdProcess? _process;

    /// <summary>Creates a host for the member whose manifest is at <paramref name="manifestPath"/>.</summary>
    /// <param name="manifestPath">The member's manifest (a Pod YAML whose etcd container's command is the etcd command line).</param>
    /// <param name="etcdBinary">The etcd binary when the manifest's command does not name one by its path; by default <c>ETCD_BIN</c>, then PATH, then the manifest's own command.</param>
    /// <param name="saveOptions">Backups and dry-run settings for manifest saves; backups go to a directory beside the manifest's by default.</param>
    /// <param name="timeProvider">The clock for archive names and backups.</param>
    public LocalProcessEtcdHost(string manifestPath, string? etcdBinary = null, ManifestSaveOptions? saveOptions = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        ManifestPath = Path.GetFullPath(manifestPath);
        _etcdBinary = etcdBinary;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _saveOptions = saveOptions ?? new ManifestSaveOptions
        {
            BackupDirectory = Path.Combine(Path.GetDirectoryName(Path.GetDirectoryName(ManifestPath)!) ?? "/", "manifest-backups"),
            TimeProvider = _timeProvider,
        };
        Name = Path.GetFileNameWithoutExtension(ManifestPath);
    }

    /// <inheritdoc />
    public string Name { get; }

    /// <inheritdoc />
    public string ManifestPath { get; }

    /// <inheritdoc />
    public bool RestartsOnManifestChange => false;

    /// <summary>The PID file beside the manifest.</summary>
    public string PidFile => ManifestPath + ".pid";

    /// <summary>
    /// Where the member's output goes: <c>DATA_DIR.log</c> beside its data dir (<c>--data-dir</c> in the manifest), or
    /// beside the manifest when it names none.
    /// </summary>
    public string LogFile => LogFileOf(EtcdManifest.Load(ManifestPath));

    /// <summary>The running process, when this host (or the PID file) knows one.</summary>
    internal LocalEtcdProcess? Process => _process is { HasExited: false } ? _process : null;

    /// <summary>The operating-system process ID of the member this host started (or found in its PID file), while it runs.</summary>
    public int? ProcessId => Process?.ProcessId;

    /// <summary>
    /// Writes a new manifest for a local member: a Pod YAML shaped like kubeadm's, whose etcd container's command is
    /// <paramref name="etcdBinary"/> (or <c>etcd</c>) followed by <paramref name="arguments"/> (one <c>--flag=value</c> item each).
    /// </summary>
    /// <param name="manifestPath">The file to create.</param>
    /// <param name="memberName">The member's name, for the pod's name.</param>
    /// <param name="arguments">etcd's flags.</param>
    /// <param name="etcdBinary">The etcd binary the member runs with (its full path is written, so that every start uses it); <c>etcd</c> when <see langword="null"/>.</param>
    /// <exception cref="IOException">The file exists already.</exception>
    public static void WriteManifest(string manifestPath, string memberName, IEnumerable<string> arguments, string? etcdBinary = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(manifestPath);
        ArgumentException.ThrowIfNullOrEmpty(memberName);
        ArgumentNullException.ThrowIfNull(arguments);
        var text = new System.Text.StringBuilder();
        text.Append("# etcd member ").Append(memberName).Append(", run as a local process by EtcdMaintenance's LocalProcessEtcdHost.\n")
            .Append("apiVersion: v1\nkind: Pod\nmetadata:\n  name: etcd-").Append(memberName)
            .Append("\n  namespace: kube-system\nspec:\n  containers:\n  - name: etcd\n    command:\n    - ").Append(etcdBinary is null ? "etcd" : YamlScalar(Path.GetFullPath(etcdBinary))).Append('\n');
        foreach (var argument in arguments)
        {
            text.Append("    - ").Append(YamlScalar(argument)).Append('\n');
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(manifestPath))!);
        using var file = new FileStream(manifestPath, FileMode.CreateNew, FileAccess.Write);
        using var writer = new StreamWriter(file);
        writer.Write(text.ToString());
    }

    /// <inheritdoc />
    public Task<EtcdFlagFile> LoadManifestAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult<EtcdFlagFile>(EtcdManifest.Load(ManifestPath));

    /// <inheritdoc />
    public Task<ManifestSaveResult> SaveManifestAsync(EtcdFlagFile manifest, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        return ManifestFile.SaveAsync(manifest, _saveOptions.ForSave(dryRun), cancellationToken);
    }

    /// <inheritdoc />
    public async Task ApplyManifestAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync(cancellationToken).ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public Task<bool> IsStartedAsync(CancellationToken cancellationToken = default) => Task.FromResult(Attach() is not null);

    /// <inheritdoc />
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (Attach() is { } process)
        {
            await process.StopAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
            await process.DisposeAsync().ConfigureAwait(false);
        }

        _process = null;
        File.Delete(PidFile);
    }

    /// <inheritdoc />
    /// <remarks>
    /// The member runs in a session of its own with its output appended to <see cref="LogFile"/>, so that it outlives this
    /// process (a CLI that exits, an operation that crashes); stop it with <see cref="StopAsync"/>. It runs the binary its
    /// manifest names when the command's first item is a path, otherwise the binary given to the constructor, then
    /// <c>ETCD_BIN</c>, then <c>etcd</c> on PATH.
    /// </remarks>
    /// <exception cref="InvalidOperationException">The manifest has no command, or the binary it names does not exist.</exception>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        if (Attach() is not null)
        {
            return;
        }

        var manifest = EtcdManifest.Load(ManifestPath);
        var binary = ResolveBinary(manifest);
        var commandLine = manifest.CommandLine;
        _process = LocalEtcdProcess.StartDetached(binary, !commandLine[0].StartsWith('-') ? commandLine.Skip(1) : commandLine, LogFileOf(manifest));
        await File.WriteAllTextAsync(PidFile, _process.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The etcd binary <see cref="StartAsync"/> runs for <paramref name="manifest"/> (operations check its version before starting it).</summary>
    /// <exception cref="InvalidOperationException">The manifest has no command, or the binary it names does not exist.</exception>
    internal string ResolveBinary(EtcdManifest manifest)
    {
        var commandLine = manifest.CommandLine;
        if (commandLine.Count == 0)
        {
            throw new InvalidOperationException($"{ManifestPath}: the etcd container has no command to run.");
        }

        var first = commandLine[0];
        var hasProgram = !first.StartsWith('-');
        if (hasProgram && first.Contains('/', StringComparison.Ordinal))
        {
            return File.Exists(first) ? first : throw new InvalidOperationException($"{ManifestPath} names the etcd binary {first}, which does not exist on this machine; the member {Name} was not started.");
        }

        return _etcdBinary ?? LocalEtcdProcess.FindEtcdBinary() ?? (hasProgram ? first : null)
            ?? throw new InvalidOperationException("etcd was not found: name its path in the manifest's command, set ETCD_BIN, put etcd on PATH, or pass the binary.");
    }

    /// <inheritdoc />
    public Task<string?> ArchiveDataDirectoryAsync(string dataDirectory, CancellationToken cancellationToken = default)
    {
        if (Process is not null)
        {
            throw new InvalidOperationException($"Refusing to move {dataDirectory} aside while the member {Name} runs: stop it first.");
        }

        return Task.FromResult(DataDirectories.Archive(dataDirectory, _timeProvider));
    }

    private static string YamlScalar(string value) =>
        value.Length > 0 && !value.Contains(": ", StringComparison.Ordinal) && !value.Contains(" #", StringComparison.Ordinal) && "!&*[]{}|>'\"%@`#".IndexOf(value[0], StringComparison.Ordinal) < 0 && value.Trim() == value
            ? value
            : "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    private string LogFileOf(EtcdManifest manifest) =>
        manifest.GetDataDir() is { Length: > 0 } dataDir
            ? Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDir, Path.GetDirectoryName(ManifestPath)!)) + ".log"
            : ManifestPath + ".log";

    private LocalEtcdProcess? Attach()
    {
        if (_process is { HasExited: false })
        {
            return _process;
        }

        _process = File.Exists(PidFile) && int.TryParse(File.ReadAllText(PidFile).Trim(), out var pid) ? LocalEtcdProcess.TryAttach(pid) : null;
        return _process;
    }
}
