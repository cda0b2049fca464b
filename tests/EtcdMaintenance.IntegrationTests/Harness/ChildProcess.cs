using System.Diagnostics;

namespace EtcdMaintenance.IntegrationTests.Harness;

/// <summary>Waits for a started child process with redirected output, with a deadline.</summary>
public static class ChildProcess
{
    /// <summary>
    /// Reads the process' output while it runs and returns its exit code and output; past <paramref name="timeout"/> it
    /// kills the process tree and throws, naming <paramref name="description"/> and what it wrote on stderr.
    /// </summary>
    public static async Task<(int ExitCode, string Stdout, string Stderr)> CompleteAsync(Process process, string description, TimeSpan timeout)
    {
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{description} did not finish within {timeout}: {await stderr}");
        }

        return (process.ExitCode, await stdout, await stderr);
    }
}
