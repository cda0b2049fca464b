namespace EtcdMaintenance.Hosting;

/// <summary>What a command run on a node printed, and how it exited.</summary>
internal sealed record NodeCommandResult(int ExitCode, string Output, string Error);

/// <summary>
/// Where the shell scripts of the node-side strategies run (<see cref="RemoteFlagFile"/>, <see cref="SystemdUnitHost"/>):
/// another node over SSH (<see cref="SshNodeShell"/>) or this one (<see cref="LocalNodeShell"/>).
/// </summary>
internal interface INodeShell
{
    /// <summary>The node, for messages: its host name or address.</summary>
    string Node { get; }

    /// <summary>Runs <paramref name="script"/> with <c>sh</c> on the node; a non-zero exit is returned, not thrown.</summary>
    /// <exception cref="EtcdHostException">The script could not be run there, or the step timed out.</exception>
    Task<NodeCommandResult> RunAsync(string step, string script, CancellationToken cancellationToken);
}
