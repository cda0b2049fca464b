using System.CommandLine;
using EtcdMaintenance.Operations;
using Spectre.Console;

namespace EtcdDoctor;

/// <summary>
/// The CLI side of the library's one long-running-operation shape (recover-space, raise-quota): the <c>--checkpoint</c> and
/// <c>--resume</c> options, and running a started operation to the end while printing its progress.
/// </summary>
internal static class OperationRunner
{
    public static readonly Option<string?> Checkpoint = new("--checkpoint") { Description = "Write the operation's checkpoint to FILE (owner-only) after every step, to continue with --resume FILE after a stop." };

    public static readonly Option<string?> Resume = new("--resume") { Description = "Continue the operation checkpointed in FILE (its plan; steps done are skipped); give the same options as for the first run." };

    /// <summary>Adds --checkpoint and --resume, and the check that --resume is not combined with --dry-run or --checkpoint.</summary>
    public static void AddTo(Command command, Option<bool> dryRun)
    {
        command.Options.Add(Checkpoint);
        command.Options.Add(Resume);
        command.Validators.Add(result =>
        {
            if (result.GetValue(Resume) is not null && (result.GetValue(dryRun) || result.GetValue(Checkpoint) is not null))
            {
                result.AddError("--resume goes on with the plan and the checkpoint file it names: it cannot be combined with --dry-run or --checkpoint.");
            }
        });
    }

    /// <summary>The checkpoint file to write: the one resumed from, or --checkpoint.</summary>
    public static string? CheckpointPath(ParseResult parse) => parse.GetValue(Resume) ?? parse.GetValue(Checkpoint);

    /// <summary>The checkpoint to resume from, when --resume names one.</summary>
    public static async Task<OperationCheckpoint?> ReadResumeAsync(ParseResult parse, CancellationToken cancellationToken) =>
        parse.GetValue(Resume) is { } path ? await OperationCheckpoint.ReadAsync(path, cancellationToken) : null;

    /// <summary>
    /// Runs <paramref name="operation"/> to the end and prints its progress (from <see cref="EtcdOperation{TResult, TProgress}.WatchProgressAsync"/>)
    /// unless <paramref name="describe"/> is <see langword="null"/>. When it stops with a <paramref name="checkpointPath"/>, says how to continue.
    /// </summary>
    public static async Task<TResult> RunAsync<TResult, TProgress>(
        EtcdOperation<TResult, TProgress> operation, Func<TProgress, (TimeSpan Elapsed, string Message)>? describe, string? checkpointPath, CancellationToken cancellationToken)
    {
        using var stopWatching = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var watcher = describe is null ? Task.CompletedTask : WatchAsync(operation, Output.Progress(describe), stopWatching.Token);
        try
        {
            return await operation.WaitForCompletionAsync(cancellationToken);
        }
        finally
        {
            if (!operation.HasCompleted)
            {
                await stopWatching.CancelAsync();
                if (checkpointPath is not null)
                {
                    Console.Error.WriteLine($"etcd-doctor: stopped; to continue once the cause is fixed, run the same command with --resume {checkpointPath} instead of --checkpoint.");
                }
            }

            await watcher;
        }
    }

    /// <summary>A plan's steps, numbered, each with its etcdctl or shell equivalent.</summary>
    public static void WriteSteps(IReadOnlyList<OperationStep> steps)
    {
        foreach (var step in steps)
        {
            Output.Terminal.MarkupLine($"[bold]{step.Number}.[/] {Markup.Escape(step.Description)}");
            Output.Terminal.MarkupLine($"   [grey]$ {Markup.Escape(step.EquivalentCommand)}[/]");
        }
    }

    private static async Task WatchAsync<TResult, TProgress>(EtcdOperation<TResult, TProgress> operation, IProgress<TProgress> print, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var progress in operation.WatchProgressAsync(cancellationToken))
            {
                print.Report(progress);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The operation stopped: its error, if any, is the caller's to report.
        }
    }
}
