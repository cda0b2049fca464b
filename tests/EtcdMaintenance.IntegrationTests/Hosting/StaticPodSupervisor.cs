using System.Security.Cryptography;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.IntegrationTests.Harness;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.IntegrationTests.Hosting;

/// <summary>
/// Test fixture playing kubelet's part for one static pod: starts etcd from the manifest's command when the file appears
/// or changes, stops it when the file goes away, and starts it again when it exits while the file is in place. Polls the
/// file; runs until disposed, then stops etcd.
/// </summary>
public sealed class StaticPodSupervisor : IAsyncDisposable
{
    /// <summary>How long the pod is down between the old etcd's exit and the new one's start, as with kubelet.</summary>
    private static readonly TimeSpan KubeletRestartGap = TimeSpan.FromSeconds(2);

    private readonly string _manifestPath;
    private readonly string _logFile;
    private readonly IReadOnlyList<string> _launcher;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private LocalEtcdProcess? _process;
    private string? _runningHash;

    /// <param name="manifestPath">The manifest to watch.</param>
    /// <param name="logFile">Where etcd's output goes.</param>
    /// <param name="launcher">A command etcd's command line is run through (e.g. <c>nsenter</c> into a node's namespaces), which must exec it in place.</param>
    public StaticPodSupervisor(string manifestPath, string logFile, IReadOnlyList<string>? launcher = null)
    {
        _manifestPath = manifestPath;
        _logFile = logFile;
        _launcher = launcher ?? [];
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>How many times etcd was started.</summary>
    public int Starts { get; private set; }

    /// <summary>The running etcd, if any.</summary>
    internal LocalEtcdProcess? Process => _process is { HasExited: false } ? _process : null;

    private async Task LoopAsync()
    {
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        while (await tick.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false))
        {
            try
            {
                await ReconcileAsync();
            }
            catch (Exception ex) when (ex is IOException or ManifestException)
            {
                // Caught between a rename and a read, as kubelet may be: look again at the next tick.
            }
        }
    }

    private async Task ReconcileAsync()
    {
        var bytes = File.Exists(_manifestPath) ? await File.ReadAllBytesAsync(_manifestPath, _stop.Token) : null;
        var hash = bytes is null ? null : Convert.ToHexString(SHA256.HashData(bytes));
        if (hash != _runningHash || (hash is not null && _process is { HasExited: true }))
        {
            var wasRunning = await StopEtcdAsync();
            if (hash is not null)
            {
                if (wasRunning)
                {
                    // kubelet takes seconds to tear a static pod down and start its replacement (a new sandbox, a new
                    // container); operations watch for that gap to know the member restarted. Keep it as kubelet does.
                    await Task.Delay(KubeletRestartGap, _stop.Token);
                }

                var commandLine = EtcdManifest.Load(_manifestPath).CommandLine;
                var binary = commandLine[0].Contains('/', StringComparison.Ordinal) ? commandLine[0] : EtcdBinaries.Etcd;
                _process = _launcher.Count == 0
                    ? LocalEtcdProcess.Start(binary, commandLine.Skip(1), _logFile)
                    : LocalEtcdProcess.Start(_launcher[0], [.. _launcher.Skip(1), binary, .. commandLine.Skip(1)], _logFile);
                Starts++;
            }

            _runningHash = hash;
        }
    }

    /// <summary>Stops etcd if it runs; returns whether it did.</summary>
    private async Task<bool> StopEtcdAsync()
    {
        if (_process is not { } process)
        {
            return false;
        }

        await process.StopAsync(TimeSpan.FromSeconds(20));
        await process.DisposeAsync();
        _process = null;
        return true;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await StopEtcdAsync();
        _stop.Dispose();
    }
}
