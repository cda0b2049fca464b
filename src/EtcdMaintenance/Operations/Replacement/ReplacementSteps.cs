using System.Globalization;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The replacement's steps in the order they run: the plan describes this list and the handle runs it. A new step is one
/// class under Operations/Replacement, one line here and one <see cref="MemberReplacementStep"/> value for the journal.
/// </summary>
internal static class ReplacementSteps
{
    /// <summary>Every step, in order.</summary>
    public static IReadOnlyList<ReplacementStep> All { get; } =
    [
        new SnapshotStep(),
        new MoveLeaderStep(),
        new StopMemberStep(),
        new RemoveMemberStep(),
        new ArchiveDataDirectoryStep(),
        new AddMemberStep(),
        new UpdateManifestStep(),
        new StartMemberStep(),
        new WaitForCatchUpStep(),
        new PromoteMemberStep(),
        new VerifyStep(),
    ];

    /// <summary>The step a journal names.</summary>
    /// <exception cref="InvalidOperationException">The journal names a step this library does not know.</exception>
    public static ReplacementStep For(MemberReplacementStep id) =>
        All.FirstOrDefault(s => s.Id == id) ?? throw new InvalidOperationException($"The journal's next step {id} is not a step this library knows.");

    /// <summary>The step after <paramref name="id"/>; <see cref="MemberReplacementStep.Completed"/> after the last.</summary>
    public static MemberReplacementStep Next(MemberReplacementStep id)
    {
        var index = IndexOf(id);
        return index >= 0 && index + 1 < All.Count ? All[index + 1].Id : MemberReplacementStep.Completed;
    }

    /// <summary>The step's label for messages.</summary>
    public static string Label(MemberReplacementStep id) =>
        IndexOf(id) is var index and >= 0 ? All[index].Label : id.ToString().ToLower(CultureInfo.InvariantCulture);

    private static int IndexOf(MemberReplacementStep id)
    {
        for (var i = 0; i < All.Count; i++)
        {
            if (All[i].Id == id)
            {
                return i;
            }
        }

        return -1;
    }
}
