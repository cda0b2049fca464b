namespace EtcdMaintenance.Operations;

/// <summary>The rollback advice a failed step gives, by what the cluster has lost so far; each step picks its own.</summary>
internal static class ReplacementAdvice
{
    /// <summary>Nothing in the cluster was changed yet.</summary>
    public static string NothingChanged(ReplacementContext context, MemberReplacementCheckpoint checkpoint) =>
        $"nothing was changed in the cluster ({checkpoint.MemberName} still runs as {checkpoint.OldMemberId}). {SetAside(context)}";

    /// <summary>The member may be stopped, but it is still a member with its data.</summary>
    public static string StartItAgain(ReplacementContext context, MemberReplacementCheckpoint checkpoint) =>
        $"{checkpoint.MemberName} is still member {checkpoint.OldMemberId} with its data dir untouched: start it again on {context.Host.Name} ({HostCommands.For(context.Host).Start}). {SetAside(context)}";

    /// <summary>The old member is removed and the new one not added yet.</summary>
    public static string ContinueToAdd(ReplacementContext context, MemberReplacementCheckpoint checkpoint) =>
        $"member {checkpoint.OldMemberId} is removed and cannot come back with its old identity; the cluster runs with {checkpoint.VoterCount - 1} voting members until the replacement is added. " +
        $"Continuing is the way back to {checkpoint.VoterCount}. The data dir {(checkpoint.ArchivedDataDirectory is { } a ? $"was moved to {a}" : $"is still at {checkpoint.DataDirectory}")}; the snapshot is {checkpoint.Snapshot?.Path ?? "not taken"}. {SetAside(context)}";

    /// <summary>The new member is added.</summary>
    public static string RemoveTheNewMember(ReplacementContext context, MemberReplacementCheckpoint checkpoint) =>
        $"member {checkpoint.OldMemberId} is removed; to take the new member {checkpoint.NewMemberId} out again: stop it on {context.Host.Name}, then 'etcdctl member remove {checkpoint.NewMemberId}' " +
        $"(the cluster then runs with {checkpoint.VoterCount - 1} voting members). The old data dir is at {checkpoint.ArchivedDataDirectory ?? "(none existed)"} and the snapshot at {checkpoint.Snapshot?.Path ?? "(none)"}. {SetAside(context)}";

    private static string SetAside(ReplacementContext context) =>
        $"Then move the journal {context.JournalPath} out of {Path.GetDirectoryName(context.JournalPath)} (while it is there, it blocks other replacements).";
}
