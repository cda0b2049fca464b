using System.Globalization;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Checks that every member is started, voting and healthy with equal hashes, then follows through: defragments the
/// rejoined member when it needs it (or stops with that advice), disarms a NOSPACE it raised, and proves writes work.
/// </summary>
internal sealed class VerifyStep : ReplacementStep
{
    public override MemberReplacementStep Id => MemberReplacementStep.Verify;

    public override string Label => "verify";

    public override OperationStep Describe(ReplacementContext context, int number)
    {
        var all = context.Outline.AllEndpoints;
        return new OperationStep
        {
            Number = number,
            Description = "Verify: every member started, voting and healthy, the same HashKV at a common revision, and a probe write succeeds.",
            EquivalentCommand = $"etcdctl --endpoints={all} member list -w table && etcdctl --endpoints={all} endpoint health && etcdctl --endpoints={all} endpoint hashkv && {WriteCheck.Etcdctl(all)}",
        };
    }

    public override async Task RunAsync(ReplacementContext context, CancellationToken cancellationToken)
    {
        var checkpoint = context.Checkpoint;
        var newId = context.RequireNewId(checkpoint);
        ConsistencyReport? report = null;
        await context.WaitUntilAsync(Id, context.Options.VerifyTimeout, async ct =>
        {
            var observation = await context.Checker.ObserveAsync(ct, checkpoint.ClusterId).ConfigureAwait(false);
            report = observation.Report;
            var list = observation.MemberList;
            var problems = new List<string>();
            if (list.Find(checkpoint.OldMemberId) is not null)
            {
                problems.Add($"the old member {checkpoint.OldMemberId} is still listed");
            }

            if (list.Find(newId) is not { } added)
            {
                problems.Add($"the new member {newId} is not listed");
            }
            else if (added.Name != checkpoint.MemberName || added.IsLearner)
            {
                problems.Add($"{newId} is {(added.IsStarted ? $"named '{added.Name}'" : "not started")}{(added.IsLearner ? ", a learner" : string.Empty)}");
            }

            if (list.Voters.Count != checkpoint.VoterCount || list.Members.Any(m => m.IsLearner))
            {
                problems.Add($"{list.Voters.Count} voting member(s) and {list.Members.Count(m => m.IsLearner)} learner(s), expected {checkpoint.VoterCount} voting members");
            }

            problems.AddRange(report.Members.SelectMany(m => m.Findings.Where(f => f.Issue != ConsistencyIssue.DbSizeDivergent).Select(f => f.Message)));
            if (report.MajorityHash is null || report.Members.Any(m => !m.IsLearner && m.Hash != report.MajorityHash))
            {
                problems.Add($"the hashes are not all equal at revision {report.HashRevision} ({string.Join(", ", report.Members.Select(m => $"{m.Name}: {m.Hash?.ToString(CultureInfo.InvariantCulture) ?? "-"}"))})");
            }

            return problems.Count == 0 ? null : string.Join("; ", problems);
        }, cancellationToken).ConfigureAwait(false);
        context.FinalCheck = report;
        var followThrough = await FollowThroughAsync(context, checkpoint, cancellationToken).ConfigureAwait(false);
        context.Did(
            $"{report!.Members.Count} members started, voting and healthy; hash {report.MajorityHash} on every member at revision {report.HashRevision}{followThrough}");
    }

    public override string RollbackAdvice(ReplacementContext context, MemberReplacementCheckpoint checkpoint) => ReplacementAdvice.RemoveTheNewMember(context, checkpoint);

    /// <summary>
    /// Defragments the rejoined member when it needs it (or stops with that advice where the options forbid it), disarms a
    /// NOSPACE its size raised once every member is under 90% of its quota, and proves with a probe write that writes work.
    /// </summary>
    private static async Task<string> FollowThroughAsync(ReplacementContext context, MemberReplacementCheckpoint checkpoint, CancellationToken cancellationToken)
    {
        var note = string.Empty;
        var endpoint = context.MemberEndpoints(checkpoint) is [var first, ..] ? first : throw context.Refuse($"{checkpoint.MemberName} has no client URL to check its size on");
        var status = await context.Client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var decision = context.Options.DefragmentRejoinedMemberWhen.Evaluate(status);
        if (decision.Defragment)
        {
            if (!context.Options.DefragmentRejoinedMember)
            {
                throw context.Refuse($"the rejoined {checkpoint.MemberName} needs a defragment ({decision.Reason}) and the options do not allow it here: " +
                    $"run 'etcdctl --endpoints={endpoint} --command-timeout=120s defrag', then resume the replacement to finish");
            }

            context.Report(MemberReplacementStep.Verify, MemberReplacementProgressKind.Waiting, $"defragmenting the rejoined {checkpoint.MemberName} ({decision.Reason})");
            await context.Client.DefragmentAsync(endpoint, cancellationToken).ConfigureAwait(false);
            var target = await MemberReadiness.LeaderIndexAsync(context.Client, endpoint, cancellationToken).ConfigureAwait(false);
            var after = await MemberReadiness.WaitUntilBackAsync(context.Client, endpoint, target, "MemberReplacement", context.Options.VerifyTimeout, context.Options.PollInterval, context.TimeProvider, cancellationToken).ConfigureAwait(false);
            note = $"; defragmented the rejoined {checkpoint.MemberName}: {SpaceRecovery.Size(status.DbSize)} -> {SpaceRecovery.Size(after.DbSize)}";
        }

        var alarms = await NoSpaceDisarm.DisarmIfUnderAsync(context.Client, 0.9, s => s, cancellationToken).ConfigureAwait(false);
        if (alarms.Disarmed.Count > 0)
        {
            note += "; NOSPACE disarmed (every member under 90% of its quota)";
        }

        var check = await WriteCheck.RunAsync(context.Client, probeWrite: true, cancellationToken).ConfigureAwait(false);
        if (check.WriteError is { } error)
        {
            throw context.Refuse($"writes fail after the replacement ({error.Message}){(alarms.Kept is { } kept ? $": {kept}" : string.Empty)}{(check.Alarms.Count > 0 ? $"; alarms raised: {check.AlarmsText}" : string.Empty)}", error);
        }

        if (check.Alarms.Count > 0)
        {
            note += $"; alarms still raised: {check.AlarmsText}";
        }

        return note + "; a probe write succeeded";
    }
}
