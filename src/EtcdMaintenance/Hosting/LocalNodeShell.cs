using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Hosting;

/// <summary>
/// This node, for a strategy whose member runs where the library runs: each script runs with <c>/bin/sh</c> as the
/// current user, with a timeout (the process and its children are killed when it expires or the step is cancelled).
/// </summary>
internal sealed class LocalNodeShell : INodeShell
{
    private readonly TimeSpan _commandTimeout;
    private readonly ILogger _logger;

    public LocalNodeShell(string node, TimeSpan commandTimeout, ILogger logger)
    {
        Node = node;
        _commandTimeout = commandTimeout;
        _logger = logger;
    }

    /// <inheritdoc />
    public string Node { get; }

    /// <inheritdoc />
    public async Task<NodeCommandResult> RunAsync(string step, string script, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(script);
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new Win32Exception("/bin/sh did not start");
        }
        catch (Win32Exception ex)
        {
            throw new EtcdHostException(Node, step, EtcdHostErrorCode.CommandFailed, $"/bin/sh could not be started: {ex.Message}", ex);
        }

        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_commandTimeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                // A child left running that holds the script's output open (it should not) counts against the timeout too.
                await Task.WhenAll(process.WaitForExitAsync(timeout.Token), output, error).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
                throw new EtcdHostException(Node, step, EtcdHostErrorCode.Timeout, $"no answer within {_commandTimeout}");
            }

            var result = new NodeCommandResult(process.ExitCode, await output.ConfigureAwait(false), await error.ConfigureAwait(false));
            Log.NodeCommand(_logger, Node, step, result.ExitCode);
            return result;
        }
    }
}
