using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// One etcd member running as a process on this machine: started from an argument list, stopped with SIGTERM (then
/// SIGKILL after a grace period), paused and resumed with SIGSTOP/SIGCONT. Used by the local-process host, the
/// local-cluster launcher (EtcdMaintenance.Testing) and the tests. Every process started here is killed when this process exits normally.
/// </summary>
internal sealed class LocalEtcdProcess : IAsyncDisposable
{
    private static readonly ConcurrentDictionary<int, Process> s_started = new();

    static LocalEtcdProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) => KillAllStarted();
    }

    private readonly Process _process;
    private readonly bool _startedHere;
    private readonly bool _detached;

    private LocalEtcdProcess(Process process, bool startedHere, bool detached = false)
    {
        _process = process;
        _startedHere = startedHere;
        _detached = detached;
        ProcessId = process.Id;
    }

    /// <summary>The operating-system process ID.</summary>
    public int ProcessId { get; }

    /// <summary>Whether the process has exited.</summary>
    public bool HasExited
    {
        get
        {
            try
            {
                return _process.HasExited;
            }
            catch (InvalidOperationException)
            {
                return true;
            }
        }
    }

    /// <summary>The exit code, once exited.</summary>
    public int? ExitCode => HasExited && _startedHere ? _process.ExitCode : null;

    /// <summary>
    /// The etcd binary: <c>ETCD_BIN</c> when set, otherwise <c>etcd</c> on PATH, otherwise <see langword="null"/>.
    /// </summary>
    public static string? FindEtcdBinary()
    {
        var configured = Environment.GetEnvironmentVariable("ETCD_BIN");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : null;
        }

        return (Environment.GetEnvironmentVariable("PATH") ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, "etcd"))
            .FirstOrDefault(File.Exists);
    }

    /// <summary>Starts <paramref name="etcdBinary"/> with <paramref name="arguments"/>; its output goes to <paramref name="logFile"/> when given, and is discarded otherwise.</summary>
    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    public static LocalEtcdProcess Start(string etcdBinary, IEnumerable<string> arguments, string? logFile = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(etcdBinary);
        ArgumentNullException.ThrowIfNull(arguments);
        var start = new ProcessStartInfo(etcdBinary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        StreamWriter? log = null;
        if (logFile is not null)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);
            log = new StreamWriter(new FileStream(logFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite)) { AutoFlush = true };
        }

        Process process;
        try
        {
            process = Process.Start(start) ?? throw new InvalidOperationException($"{etcdBinary} did not start.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            log?.Dispose();
            throw new InvalidOperationException($"Could not start {etcdBinary}: {ex.Message}", ex);
        }

        s_started[process.Id] = process;
        // The log is closed once both streams have ended (a null line), not when the process exits: the Exited event can
        // come before the last lines are delivered.
        var open = 2;
        DataReceivedEventHandler write = (_, e) =>
        {
            if (log is null)
            {
                return;
            }

            lock (log)
            {
                if (e.Data is not null)
                {
                    log.WriteLine(e.Data);
                }
                else if (--open == 0)
                {
                    log.Dispose();
                }
            }
        };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) => s_started.TryRemove(process.Id, out _);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        return new LocalEtcdProcess(process, startedHere: true);
    }

    /// <summary>
    /// Starts <paramref name="etcdBinary"/> with <paramref name="arguments"/> as a member that outlives this process: in a
    /// session of its own (<c>setsid</c>), standard input from <c>/dev/null</c>, its output appended to
    /// <paramref name="logFile"/>. It is not killed when this process exits nor when this object is disposed; stop it with
    /// <see cref="StopAsync"/> or <see cref="Kill"/> (here or, through <see cref="TryAttach"/>, from another process).
    /// </summary>
    /// <exception cref="InvalidOperationException">The process could not be started.</exception>
    /// <exception cref="PlatformNotSupportedException">Not Linux or macOS.</exception>
    public static LocalEtcdProcess StartDetached(string etcdBinary, IEnumerable<string> arguments, string logFile)
    {
        ArgumentException.ThrowIfNullOrEmpty(etcdBinary);
        ArgumentNullException.ThrowIfNull(arguments);
        ArgumentException.ThrowIfNullOrEmpty(logFile);
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Detached etcd members are started on Linux and macOS only.");
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(logFile))!);

        // sh redirects, then execs setsid, which (the child not being a process-group leader) calls setsid(2) and execs
        // etcd: one process, whose ID is the one Process.Start returns.
        var start = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        foreach (var argument in (IEnumerable<string>)["-c", "log=$1; shift; exec setsid \"$@\" </dev/null >>\"$log\" 2>&1", "sh", Path.GetFullPath(logFile), etcdBinary, .. arguments])
        {
            start.ArgumentList.Add(argument);
        }

        try
        {
            var process = Process.Start(start) ?? throw new InvalidOperationException($"{etcdBinary} did not start.");
            process.EnableRaisingEvents = true;
            return new LocalEtcdProcess(process, startedHere: true, detached: true);
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException($"Could not start {etcdBinary}: {ex.Message}", ex);
        }
    }

    /// <summary>Attaches to a process started earlier (for example by a run that crashed), if it is still alive.</summary>
    public static LocalEtcdProcess? TryAttach(int processId)
    {
        try
        {
            var process = Process.GetProcessById(processId);
            return process.HasExited ? null : new LocalEtcdProcess(process, startedHere: false);
        }
        catch (ArgumentException)
        {
            return null;
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Stops the member: SIGTERM, then SIGKILL if it has not exited after <paramref name="gracePeriod"/>.</summary>
    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken cancellationToken = default)
    {
        if (HasExited)
        {
            return;
        }

        SendSignal(Sigterm);
        using var grace = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        grace.CancelAfter(gracePeriod);
        try
        {
            await WaitForExitAsync(grace.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Kill();
            await WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Kills the member at once (SIGKILL).</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>
    /// Freezes the member (SIGSTOP): it keeps its sockets open and answers nothing. Returns once every thread has stopped
    /// (on Linux): the kernel stops a busy multi-threaded process some milliseconds after the signal, long enough for etcd
    /// to answer one more request.
    /// </summary>
    /// <exception cref="TimeoutException">The process did not stop within 5 seconds.</exception>
    public void Pause()
    {
        SendSignal(Sigstop);
        var started = TimeProvider.System.GetTimestamp();
        while (!AllThreadsStopped(ProcessId))
        {
            if (TimeProvider.System.GetElapsedTime(started) > TimeSpan.FromSeconds(5))
            {
                throw new TimeoutException($"etcd process {ProcessId} did not stop within 5 s of SIGSTOP.");
            }

            Thread.Yield();
        }
    }

    /// <summary>Thaws a member frozen by <see cref="Pause"/> (SIGCONT).</summary>
    public void Resume() => SendSignal(Sigcont);

    /// <summary>Waits until the process exits.</summary>
    public async Task WaitForExitAsync(CancellationToken cancellationToken = default)
    {
        if (_startedHere)
        {
            await _process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
            return;
        }

        // Not our child: the exit cannot be awaited, only observed.
        while (!HasExited)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(50), cancellationToken).ConfigureAwait(false);
            _process.Refresh();
        }
    }

    /// <summary>Kills the process if it is still running, unless it was started with <see cref="StartDetached"/> (then it keeps running).</summary>
    public async ValueTask DisposeAsync()
    {
        if (!_detached && !HasExited)
        {
            Kill();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Reported by HasExited staying false; nothing more can be done here.
            }
        }

        _process.Dispose();
    }

    /// <summary>Kills every etcd process this process started and that still runs (for Ctrl+C handlers).</summary>
    public static void KillAllStarted()
    {
        foreach (var process in s_started.Values)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }

    /// <summary>The IDs of the etcd processes this process started that still run.</summary>
    public static IReadOnlyList<int> StartedAndRunning => [.. s_started.Where(p => !SafeHasExited(p.Value)).Select(p => p.Key)];

    private static bool SafeHasExited(Process process)
    {
        try
        {
            return process.HasExited;
        }
        catch (InvalidOperationException)
        {
            return true;
        }
    }

    /// <summary>Whether every thread of the process is stopped (Linux /proc; assumed elsewhere).</summary>
    private static bool AllThreadsStopped(int processId)
    {
        var tasks = $"/proc/{processId}/task";
        if (!Directory.Exists(tasks))
        {
            return true;
        }

        foreach (var task in Directory.EnumerateDirectories(tasks))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread exited
            }

            // "pid (comm) STATE ...": the state follows the last ')'; T is stopped by a signal, t by tracing.
            var close = stat.LastIndexOf(')');
            if (close < 0 || close + 2 >= stat.Length || stat[close + 2] is not ('T' or 't'))
            {
                return false;
            }
        }

        return true;
    }

    private const int Sigterm = 15;
    private const int Sigcont = 18;
    private const int Sigstop = 19;

    private void SendSignal(int signal)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("Signals are only sent on Linux and macOS.");
        }

        if (PosixSignals.Kill(ProcessId, signal) != 0 && !HasExited)
        {
            throw new InvalidOperationException($"Could not send signal {signal} to etcd process {ProcessId} (errno {Marshal.GetLastPInvokeError()}).");
        }
    }
}
