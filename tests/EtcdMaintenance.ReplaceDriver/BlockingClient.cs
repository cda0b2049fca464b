using EtcdMaintenance.Tests.Infrastructure;

namespace EtcdMaintenance.ReplaceDriver;

/// <summary>Prints each progress event on its own line, synchronously.</summary>
internal sealed class LineProgress : IProgress<EtcdMaintenance.Operations.MemberReplacementProgress>
{
    public void Report(EtcdMaintenance.Operations.MemberReplacementProgress value) =>
        Console.WriteLine($"PROGRESS {value.Step} {value.Kind}: {value.Message}");
}

/// <summary>
/// Forwards every call to the real client; after the named member change has succeeded it prints BLOCKED and waits for a
/// line on stdin: the moment a crash leaves the cluster changed and the journal not yet written.
/// </summary>
internal sealed class BlockingClient(IEtcdMaintenanceClient inner, string? blockAfter) : FakeClient(inner)
{
    public override async Task<MemberAddResult> AddMemberAsync(IReadOnlyList<string> peerUrls, bool asLearner, CancellationToken cancellationToken = default) =>
        Block("MemberAdd", await Inner.AddMemberAsync(peerUrls, asLearner, cancellationToken));

    public override async Task<EtcdMemberList> RemoveMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) =>
        Block("MemberRemove", await Inner.RemoveMemberAsync(memberId, cancellationToken));

    public override async Task<EtcdMemberList> PromoteMemberAsync(MemberId memberId, CancellationToken cancellationToken = default) =>
        Block("MemberPromote", await Inner.PromoteMemberAsync(memberId, cancellationToken));

    private T Block<T>(string call, T result)
    {
        if (call == blockAfter)
        {
            Console.WriteLine($"BLOCKED {call}");
            Console.Out.Flush();
            // Wait on a condition, not a timer: the test kills this process; a line on stdin (or stdin closing) releases it.
            Console.In.ReadLine();
        }

        return result;
    }
}
