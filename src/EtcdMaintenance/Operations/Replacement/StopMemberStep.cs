namespace EtcdMaintenance.Operations;

/// <summary>
/// Stops the member through its host and waits until its client URLs no longer answer. Always asks the host to stop (it
/// is idempotent), so it has no separate already-done check: it records "already stopped" when nothing was running.
/// </summary>
internal sealed class StopMemberStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.StopMember;

    public override string Label => "stop member";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var o = context.Outline;
        return new OperationStep
        {
            Number = number,
            Description = $"Stop {o.MemberName} on {o.HostName} and wait until {string.Join(",", o.ClientUrls)} no longer answers.",
            EquivalentCommand = o.Commands.Stop,
        };
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var host = context.Host;
        var wasStarted = await host.IsStartedAsync(CancellationToken.None).ConfigureAwait(false);
        await host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var endpoints = context.MemberEndpoints(checkpoint);
        var answered = false;
        await context.WaitUntilAsync(Id, context.Options.StopTimeout, async ct =>
        {
            foreach (var endpoint in endpoints)
            {
                if (await context.AnswersAsync(endpoint, ct).ConfigureAwait(false) is { } answer)
                {
                    answered = true;
                    return $"{endpoint} still answers ({answer})";
                }
            }

            return null;
        }, cancellationToken).ConfigureAwait(false);
        if (!wasStarted && !answered)
        {
            context.Found($"{checkpoint.MemberName} was already stopped on {host.Name}");
        }
        else
        {
            context.Did($"{checkpoint.MemberName} stopped on {host.Name}; {string.Join(",", endpoints.Select(e => e.Text))} no longer answers");
        }
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.StartItAgain(context, checkpoint);
}
