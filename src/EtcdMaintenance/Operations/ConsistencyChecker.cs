using System.Globalization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Checks that the members of a cluster hold the same data and are in a state to serve: HashKV of every voting member at
/// one common revision (hashed again when a compaction moves under the check), database size divergence, applied-index
/// lag behind the leader, members not started, unreachable, unhealthy, or answering for another cluster. Reads only.
/// </summary>
/// <remarks>
/// What <c>etcdctl endpoint hashkv --cluster</c>, <c>endpoint status --cluster</c>, <c>endpoint health --cluster</c> and
/// <c>member list</c> show, compared for you. Replacement is recommended only for a member whose data differs from a
/// majority's. Give the client every member's endpoint: a member that serves another cluster's data can only be told
/// apart from the others when they answer too.
/// </remarks>
public sealed class ConsistencyChecker
{
    private const string OperationName = "ConsistencyCheck";

    private readonly IEtcdMaintenanceClient _client;
    private readonly ConsistencyCheckOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a checker for the cluster <paramref name="client"/> talks to.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public ConsistencyChecker(IEtcdMaintenanceClient client, ConsistencyCheckOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new ConsistencyCheckOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Checks every member and returns what is wrong with which member, and which (if any) to replace.</summary>
    /// <exception cref="EtcdSafetyCheckException">
    /// No configured endpoint answers, the endpoints answer for different clusters with no majority, or the member list came
    /// from a member of another cluster.
    /// </exception>
    public async Task<ConsistencyReport> CheckAsync(CancellationToken cancellationToken = default) =>
        (await ObserveAsync(cancellationToken).ConfigureAwait(false)).Report;

    /// <summary>The check, with the member list and the configured endpoints' statuses it was built from.</summary>
    internal async Task<ClusterObservation> ObserveAsync(CancellationToken cancellationToken, ulong? expectedClusterId = null)
    {
        var probed = await ProbeMembersAsync(expectedClusterId, checkHealth: true, cancellationToken).ConfigureAwait(false);
        IReadOnlyList<EtcdAlarm> alarms;
        try
        {
            alarms = await _client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException)
        {
            alarms = [];
        }

        var candidates = probed.Probes.Where(p => p.IsSameMember(probed.ClusterId) && !p.Member.IsLearner).ToList();
        var hashing = await HashAsync(candidates, cancellationToken).ConfigureAwait(false);
        var report = Judge(probed.ClusterId, probed.MemberList.Members, probed.Probes, hashing, alarms, _options);

        // A size divergence must last: right after a compaction a member's size in use changes once its compaction job
        // has run, a moment after it reports the compaction applied.
        for (var attempt = 1; attempt < _options.HashAttempts && report.Members.Any(m => m.Has(ConsistencyIssue.DbSizeDivergent)); attempt++)
        {
            await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
            hashing = hashing with { StatusesAfter = await StatusesAsync(candidates, cancellationToken).ConfigureAwait(false) };
            report = Judge(probed.ClusterId, probed.MemberList.Members, probed.Probes, hashing, alarms, _options);
        }
        foreach (var member in report.Suspects)
        {
            foreach (var finding in member.Findings)
            {
                OperationsLog.ConsistencyFinding(_logger, member.Name, finding.Issue, finding.Message);
            }
        }

        return new ClusterObservation(report, probed.MemberList, probed.Configured);
    }

    /// <summary>
    /// The member list (checked to come from <paramref name="expectedClusterId"/>, or from the cluster most configured
    /// endpoints answer for) and every member probed on its endpoint: status, and a linearizable read when asked.
    /// </summary>
    /// <exception cref="EtcdSafetyCheckException">No endpoint answers, the member list cannot be read, or it comes from another cluster.</exception>
    internal async Task<ProbedMembers> ProbeMembersAsync(ulong? expectedClusterId, bool checkHealth, CancellationToken cancellationToken)
    {
        var configured = await _client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        var clusterId = expectedClusterId ?? MajorityClusterId(configured);
        var sameCluster = configured.Reachable.Where(s => s.Header?.ClusterId == clusterId).ToList();
        if (sameCluster.Count > 0 && sameCluster.All(s => s.Leader.IsNone))
        {
            throw new EtcdSafetyCheckException(
                $"No member knows a leader ({string.Join(", ", sameCluster.Select(s => s.Endpoint))} answer, {configured.Unreachable.Count} endpoint(s) do not): quorum is lost or an election is under way. Bring members back, then try again.",
                null, OperationName);
        }

        EtcdMemberList list;
        try
        {
            list = await _client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex) when (ex is not EtcdSafetyCheckException)
        {
            throw new EtcdSafetyCheckException(
                $"The member list could not be read ({ex.Message}). With quorum lost the cluster cannot answer: bring members back first.",
                ex.Endpoint, OperationName);
        }

        if (list.Header.ClusterId != clusterId)
        {
            throw new EtcdSafetyCheckException(
                $"The member list came from member {list.Header.MemberId} of cluster {list.Header.ClusterIdHex}, but the cluster is {clusterId:x}. " +
                "That member serves another cluster's data: leave its endpoint out of the endpoints and try again (a consistency check shows it as foreign data).",
                null, OperationName);
        }

        var useTls = _client.Endpoints.Any(e => e.UsesTls);
        var probes = await Task.WhenAll(list.Members.Select(m => ProbeAsync(m, configured, clusterId, useTls, checkHealth, cancellationToken))).ConfigureAwait(false);
        return new ProbedMembers(clusterId, configured, list, probes);
    }

    /// <summary>The cluster ID a majority of the answering configured endpoints report.</summary>
    internal static ulong MajorityClusterId(ClusterStatus configured)
    {
        var ids = configured.Reachable.Where(s => s.Header is not null).GroupBy(s => s.Header!.ClusterId).OrderByDescending(g => g.Count()).ToList();
        if (ids.Count == 0)
        {
            var errors = string.Join("; ", configured.Unreachable.Select(e => e.Error?.Message ?? e.Endpoint.Text));
            throw new EtcdSafetyCheckException($"{OperationName}: no endpoint answers ({errors}).", null, OperationName);
        }

        if (ids.Count > 1 && ids[0].Count() == ids[1].Count())
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName}: the endpoints answer for different clusters ({string.Join(", ", ids.Select(g => $"{g.Key:x} from {string.Join(' ', g.Select(s => s.Endpoint))}"))}) and none has a majority; give every member's endpoint.",
                null, OperationName);
        }

        return ids[0].Key;
    }

    private async Task<MemberProbe> ProbeAsync(EtcdMember member, ClusterStatus configured, ulong clusterId, bool useTls, bool checkHealth, CancellationToken cancellationToken)
    {
        var known = configured.Endpoints.FirstOrDefault(e => e.Status is { } s && s.MemberId == member.Id && s.Header?.ClusterId == clusterId);
        EtcdEndpoint? endpoint = known?.Endpoint;
        if (endpoint is null && member.ClientUrls.Count > 0 && EtcdEndpoint.TryParse(member.ClientUrls[0], useTls, out var parsed, out _))
        {
            endpoint = parsed;
        }

        if (endpoint is null)
        {
            return new MemberProbe(member, null, null, null, null, null);
        }

        EndpointStatus? status;
        EtcdException? error = null;
        if (configured.Endpoints.FirstOrDefault(e => e.Endpoint.Equals(endpoint)) is { } entry)
        {
            status = entry.Status;
            error = entry.Error;
        }
        else
        {
            try
            {
                status = await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
            }
            catch (EtcdException ex)
            {
                status = null;
                error = ex;
            }
        }

        bool? healthy = null;
        string? healthError = null;
        if (checkHealth && status is not null && status.MemberId == member.Id && status.Header?.ClusterId == clusterId && !member.IsLearner)
        {
            var health = await _client.CheckHealthAsync(endpoint, cancellationToken).ConfigureAwait(false);
            healthy = health.AnswersReads && !status.Leader.IsNone;
            healthError = !health.AnswersReads ? health.Error : status.Leader.IsNone ? "it knows no leader" : null;
        }

        return new MemberProbe(member, endpoint, status, error, healthy, healthError);
    }

    /// <summary>
    /// Hashes the members at one common revision (the lowest current one among them), again when a compaction moves under
    /// the check (a member reports the revision compacted, or they report different compacted revisions).
    /// </summary>
    internal async Task<HashOutcome> HashAsync(IReadOnlyList<MemberProbe> candidates, CancellationToken cancellationToken)
    {
        if (candidates.Count == 0)
        {
            return new HashOutcome(null, new Dictionary<MemberId, HashKvResult>(), new Dictionary<MemberId, EtcdException>(), 0);
        }

        var results = new Dictionary<MemberId, HashKvResult>();
        var errors = new Dictionary<MemberId, EtcdException>();
        long revision = 0;
        var attempt = 0;
        var atCurrent = false;
        while (true)
        {
            attempt++;
            results.Clear();
            errors.Clear();
            if (atCurrent)
            {
                // etcd 3.4 refuses HashKV at the compacted revision itself (3.5 accepts it), so after a compaction at the
                // current revision no common revision can be named: hash each member at its current revision instead
                // (revision 0), and accept only when every member hashed the same revision after the same compaction.
                var current = await HashEachAsync(candidates, 0, results, errors, cancellationToken).ConfigureAwait(false);
                if (errors.Count == 0 && current.Select(r => r.HashRevision).Distinct().Count() == 1 && current.Select(r => r.CompactRevision).Distinct().Count() == 1)
                {
                    return new HashOutcome(current[0].HashRevision, results, errors, attempt) { StatusesAfter = await StatusesAsync(candidates, cancellationToken).ConfigureAwait(false) };
                }

                atCurrent = false;
                if (attempt >= _options.HashAttempts)
                {
                    return new HashOutcome(revision, results, errors, attempt);
                }

                OperationsLog.ConsistencyHashRetry(_logger, attempt, 0, "the members' current revisions differ");
                await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // The lowest current revision: every member has reached it.
            var revisions = await Task.WhenAll(candidates.Select(async p =>
            {
                try
                {
                    return (await _client.GetStatusAsync(p.Endpoint!, cancellationToken).ConfigureAwait(false)).Revision ?? 0;
                }
                catch (EtcdException)
                {
                    return p.Status!.Revision ?? 0;
                }
            })).ConfigureAwait(false);
            revision = revisions.Where(r => r > 0).DefaultIfEmpty(0).Min();
            if (revision == 0)
            {
                return new HashOutcome(null, results, errors, attempt);
            }

            await HashEachAsync(candidates, revision, results, errors, cancellationToken).ConfigureAwait(false);
            var compactedUnder = errors.Values.Any(e => e.ErrorCode == EtcdErrorCode.RevisionCompacted);
            var compactions = results.Values.Select(r => r.CompactRevision).Distinct().Count();
            if ((!compactedUnder && compactions <= 1) || attempt >= _options.HashAttempts)
            {
                return new HashOutcome(revision, results, errors, attempt) { StatusesAfter = await StatusesAsync(candidates, cancellationToken).ConfigureAwait(false) };
            }

            atCurrent = compactedUnder;
            OperationsLog.ConsistencyHashRetry(_logger, attempt, revision, compactedUnder ? "a member reports the revision compacted" : "members report different compacted revisions");
            if (!atCurrent)
            {
                await Task.Delay(_options.RetryDelay, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    private async Task<List<HashKvResult>> HashEachAsync(
        IReadOnlyList<MemberProbe> candidates, long revision, Dictionary<MemberId, HashKvResult> results, Dictionary<MemberId, EtcdException> errors, CancellationToken cancellationToken)
    {
        var hashed = await Task.WhenAll(candidates.Select(async p =>
        {
            try
            {
                return (p.Member.Id, Result: await _client.HashKvAsync(p.Endpoint!, revision, cancellationToken).ConfigureAwait(false), Error: (EtcdException?)null);
            }
            catch (EtcdException ex)
            {
                return (p.Member.Id, Result: (HashKvResult?)null, Error: ex);
            }
        })).ConfigureAwait(false);
        foreach (var (id, result, error) in hashed)
        {
            if (result is not null)
            {
                results[id] = result;
            }
            else
            {
                errors[id] = error!;
            }
        }

        return [.. hashed.Where(h => h.Result is not null).Select(h => h.Result!)];
    }

    /// <summary>
    /// The members' statuses read after they were hashed, so that sizes are compared once each member has applied the
    /// compaction it reported (a follower's figures lag the leader's right after a compaction).
    /// </summary>
    private async Task<IReadOnlyDictionary<MemberId, EndpointStatus>> StatusesAsync(IReadOnlyList<MemberProbe> candidates, CancellationToken cancellationToken)
    {
        var statuses = await Task.WhenAll(candidates.Select(async p =>
        {
            try
            {
                return (p.Member.Id, Status: (EndpointStatus?)await _client.GetStatusAsync(p.Endpoint!, cancellationToken).ConfigureAwait(false));
            }
            catch (EtcdException)
            {
                return (p.Member.Id, Status: (EndpointStatus?)null);
            }
        })).ConfigureAwait(false);
        return statuses.Where(s => s.Status is not null).ToDictionary(s => s.Id, s => s.Status!);
    }

    /// <summary>Turns what was observed into findings: pure, so that it can be tested without a cluster.</summary>
    internal static ConsistencyReport Judge(
        ulong clusterId, IReadOnlyList<EtcdMember> members, IReadOnlyList<MemberProbe> probes, HashOutcome hashing,
        IReadOnlyList<EtcdAlarm> alarms, ConsistencyCheckOptions options)
    {
        var notes = new List<string>();
        var voterCount = members.Count(m => !m.IsLearner);
        var same = probes.Where(p => p.IsSameMember(clusterId)).ToList();
        var leaderId = same.Select(p => p.Status!.Leader).GroupBy(l => l).Where(g => !g.Key.IsNone).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();
        var leaderIndex = same.FirstOrDefault(p => p.Member.Id == leaderId)?.Status?.RaftIndex ?? same.Select(p => p.Status!.RaftIndex).DefaultIfEmpty(0UL).Max();

        // Compare hashes only among members hashed at the same compacted revision (the one most of them report).
        var compactRevision = hashing.Results.Values.GroupBy(r => r.CompactRevision).OrderByDescending(g => g.Count()).Select(g => (long?)g.Key).FirstOrDefault();
        var comparable = hashing.Results.Where(r => r.Value.CompactRevision == compactRevision).ToDictionary(r => r.Key, r => r.Value);
        var groups = comparable.GroupBy(r => r.Value.Hash).OrderByDescending(g => g.Count()).ToList();
        uint? majorityHash = groups.Count > 0 && groups[0].Count() > voterCount / 2 ? groups[0].Key : null;
        if (comparable.Count > 0 && majorityHash is null)
        {
            notes.Add(groups.Count > 1
                ? $"No hash is shared by a majority of the {voterCount} voting members ({string.Join(", ", groups.Select(g => $"{g.Key} on {g.Count()}"))}): good data cannot be told from bad. Do not replace members automatically; compare the keys by hand."
                : $"Only {comparable.Count} of {voterCount} voting members could be hashed: too few to show that a majority agrees.");
        }

        // Sizes are compared among members that applied the same compaction, as read after hashing. A member is divergent
        // only when both its file and its size in use are far from the members' medians, in the same direction: right
        // after a compaction the sizes in use differ for a while (a member counts freed pages only after later commits),
        // and a defragmented member's file is smaller than the others' - neither is a divergence.
        EndpointStatus? SizeOf(MemberProbe probe)
        {
            if (hashing.Results.Count > 0 && (!hashing.Results.TryGetValue(probe.Member.Id, out var hashed) || hashed.CompactRevision != compactRevision))
            {
                return null;
            }

            return hashing.StatusesAfter is { } after && after.TryGetValue(probe.Member.Id, out var later) ? later : probe.Status!;
        }

        static long InUse(EndpointStatus status) => status.DbSizeInUse is { } inUse && inUse > 0 ? inUse : status.DbSize;
        static long Median(List<long> sorted) => sorted.Count == 0 ? 0 : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
        var compared = same.Where(p => !p.Member.IsLearner).Select(SizeOf).OfType<EndpointStatus>().ToList();
        var medianFile = Median([.. compared.Select(s => s.DbSize).Order()]);
        var medianInUse = Median([.. compared.Select(InUse).Order()]);
        int Diverges(long size, long median)
        {
            var ratio = size >= median ? (double)size / Math.Max(1, median) : (double)median / Math.Max(1, size);
            return ratio >= options.DbSizeDivergenceRatio && Math.Abs(size - median) >= options.DbSizeDivergenceMinimumBytes ? Math.Sign(size - median) : 0;
        }

        var result = new List<MemberConsistency>();
        foreach (var probe in probes)
        {
            var member = probe.Member;
            var findings = new List<ConsistencyFinding>();
            var recommended = false;
            var name = member.IsStarted ? member.Name : member.Id.ToString();
            if (!member.IsStarted)
            {
                findings.Add(new ConsistencyFinding
                {
                    Issue = ConsistencyIssue.NotStarted,
                    Message = $"{name} was added but has never started (no name and no client URL in the member list): start it with --initial-cluster-state=existing, or remove it",
                });
            }
            else if (probe.Status is null)
            {
                findings.Add(new ConsistencyFinding
                {
                    Issue = ConsistencyIssue.Unreachable,
                    Message = $"{name} does not answer on {probe.Endpoint?.Text ?? "its client URL"}: {probe.Error?.Message ?? "no answer"} (stopped, crashed, or unreachable; an etcd that restarts on an old copy of its data dir panics with 'tocommit(N) is out of range')",
                });
            }
            else if (probe.Status.Header?.ClusterId != clusterId || probe.Status.MemberId != member.Id)
            {
                recommended = !member.IsLearner;
                findings.Add(new ConsistencyFinding { Issue = ConsistencyIssue.ForeignData, Message = $"{probe.Endpoint!.Text} answers as member {probe.Status.MemberId} of cluster {probe.Status.Header?.ClusterIdHex ?? "?"} (revision {probe.Status.Revision}), not as {member.Id} of cluster {clusterId:x}: " +
                    "it runs on another cluster's data dir, and clients that reach it read and write that other data" });
            }
            else
            {
                if (probe.IsHealthy == false)
                {
                    findings.Add(new ConsistencyFinding
                    {
                        Issue = ConsistencyIssue.Unhealthy,
                        Message = $"{name} is unhealthy: {probe.HealthError}",
                    });
                }

                var applied = probe.Status.RaftAppliedIndex;
                if (leaderIndex > applied && leaderIndex - applied > options.AppliedIndexLagThreshold)
                {
                    findings.Add(new ConsistencyFinding
                    {
                        Issue = ConsistencyIssue.AppliedIndexLag,
                        Message = $"{name} has applied raft index {applied}, {leaderIndex - applied} behind the leader's {leaderIndex} (threshold {options.AppliedIndexLagThreshold})",
                    });
                }

                if (!member.IsLearner && compared.Count >= 2 && medianFile > 0 && SizeOf(probe) is { } sized)
                {
                    var file = Diverges(sized.DbSize, medianFile);
                    if (file != 0 && Diverges(InUse(sized), medianInUse) == file)
                    {
                        var size = InUse(sized);
                        var ratio = size >= medianInUse ? (double)size / Math.Max(1, medianInUse) : (double)medianInUse / Math.Max(1, size);
                        findings.Add(new ConsistencyFinding { Issue = ConsistencyIssue.DbSizeDivergent, Message = string.Create(CultureInfo.InvariantCulture,
                            $"{name}'s database in use is {SpaceRecovery.Size(size)}, {ratio:0.0}x the members' median of {SpaceRecovery.Size(medianInUse)} (its file {SpaceRecovery.Size(sized.DbSize)}, median {SpaceRecovery.Size(medianFile)})") });
                    }
                }

                if (!member.IsLearner)
                {
                    if (hashing.Results.TryGetValue(member.Id, out var hash))
                    {
                        if (hash.CompactRevision != compactRevision)
                        {
                            findings.Add(new ConsistencyFinding
                            {
                                Issue = ConsistencyIssue.HashUnavailable,
                                Message = $"{name} reported compacted revision {hash.CompactRevision} while the others report {compactRevision}, after {hashing.Attempts} attempt(s): its hash cannot be compared",
                            });
                        }
                        else if (majorityHash is { } majority && hash.Hash != majority)
                        {
                            recommended = true;
                            findings.Add(new ConsistencyFinding
                            {
                                Issue = ConsistencyIssue.HashDiffers,
                                Message = $"{name}'s hash at revision {hashing.Revision} is {hash.Hash}, but a majority of voting members have {majority}: its data diverged; replace it",
                            });
                        }
                        else if (majorityHash is null && groups.Count > 1 && groups[0].Key != hash.Hash)
                        {
                            findings.Add(new ConsistencyFinding
                            {
                                Issue = ConsistencyIssue.HashDiffers,
                                Message = $"{name}'s hash at revision {hashing.Revision} is {hash.Hash}, and no hash is shared by a majority",
                            });
                        }
                    }
                    else if (hashing.Revision is not null)
                    {
                        findings.Add(new ConsistencyFinding
                        {
                            Issue = ConsistencyIssue.HashUnavailable,
                            Message = $"{name} could not be hashed at revision {hashing.Revision}: {(hashing.Errors.TryGetValue(member.Id, out var error) ? error.Message : "no answer")}",
                        });
                    }
                }
            }

            if (alarms.FirstOrDefault(a => a.MemberId == member.Id && a.Type == EtcdAlarmType.Corrupt) is not null)
            {
                findings.Add(new ConsistencyFinding { Issue = ConsistencyIssue.CorruptAlarm, Message = $"etcd raised a CORRUPT alarm for {name}" });
            }

            var answersAsMember = probe.IsSameMember(clusterId);
            result.Add(new MemberConsistency
            {
                Name = name,
                Id = member.Id,
                IsLearner = member.IsLearner,
                IsStarted = member.IsStarted,
                Endpoint = probe.Endpoint?.Text,
                Status = answersAsMember ? probe.Status : null,
                IsHealthy = probe.IsHealthy,
                Hash = hashing.Results.TryGetValue(member.Id, out var h) ? h.Hash : null,
                CompactRevision = hashing.Results.TryGetValue(member.Id, out var c) ? c.CompactRevision : null,
                Findings = findings,
                ReplacementRecommended = recommended,
            });
        }

        return new ConsistencyReport
        {
            ClusterId = clusterId,
            Members = result,
            HashRevision = hashing.Revision,
            MajorityHash = majorityHash,
            HashAttempts = hashing.Attempts,
            Alarms = alarms,
            Notes = notes,
        };
    }

}

/// <summary>One member as probed: the endpoint used, its status or error, and whether it served a linearizable read.</summary>
internal sealed record MemberProbe(EtcdMember Member, EtcdEndpoint? Endpoint, EndpointStatus? Status, EtcdException? Error, bool? IsHealthy, string? HealthError)
{
    /// <summary>Whether the endpoint answered as this member of this cluster.</summary>
    public bool IsSameMember(ulong clusterId) => Status is not null && Status.MemberId == Member.Id && Status.Header?.ClusterId == clusterId;
}

/// <summary>The hashes taken at one common revision, and the members that could not be hashed.</summary>
internal sealed record HashOutcome(long? Revision, IReadOnlyDictionary<MemberId, HashKvResult> Results, IReadOnlyDictionary<MemberId, EtcdException> Errors, int Attempts)
{
    /// <summary>The members' statuses read after hashing; sizes are judged on these when present.</summary>
    public IReadOnlyDictionary<MemberId, EndpointStatus>? StatusesAfter { get; init; }
}

/// <summary>The member list and every member probed on its endpoint.</summary>
internal sealed record ProbedMembers(ulong ClusterId, ClusterStatus Configured, EtcdMemberList MemberList, IReadOnlyList<MemberProbe> Probes)
{
    public MemberProbe? Find(MemberId id) => Probes.FirstOrDefault(p => p.Member.Id == id);
}

/// <summary>A consistency report with the member list and configured-endpoint statuses it was built from.</summary>
internal sealed record ClusterObservation(ConsistencyReport Report, EtcdMemberList MemberList, ClusterStatus Configured);
