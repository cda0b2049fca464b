using System.Globalization;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

// The replacement's steps, in order: each checks first whether its work is already done, then does it.
internal sealed partial class MemberReplacementRun
{
    private async Task<StepOutcome> SnapshotAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        if (checkpoint.Snapshot is { } existing && File.Exists(existing.Path)
            && await HashFileAsync(existing.Path, cancellationToken).ConfigureAwait(false) == existing.Sha256)
        {
            return new StepOutcome(checkpoint, true, $"snapshot {existing.Path} already taken and verified (sha256 {existing.Sha256})");
        }

        var probed = await ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var source = HealthyOthers(probed).OrderBy(p => p.Status!.IsLeader).ThenByDescending(p => p.Status!.RaftAppliedIndex).FirstOrDefault()
            ?? throw Refuse($"no healthy member other than {checkpoint.MemberName} answers to take the snapshot from");

        var directory = Path.GetFullPath(_options.EffectiveSnapshotDirectory);
        MemberReplacementJournal.EnsureDirectory(directory);
        var path = Path.Combine(directory, $"{checkpoint.OperationId}.snapshot.db");
        var partial = path + ".part";
        File.Delete(partial);
        var fileOptions = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None };
        if (!OperatingSystem.IsWindows())
        {
            fileOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        SnapshotResult result;
        var stream = new FileStream(partial, fileOptions);
        await using (stream.ConfigureAwait(false))
        {
            result = await _client.SnapshotAsync(source.Endpoint!, stream, cancellationToken).ConfigureAwait(false);
            stream.Flush(flushToDisk: true);
        }

        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(partial, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }

        var onDisk = await HashFileAsync(partial, cancellationToken).ConfigureAwait(false);
        if (onDisk != result.Sha256)
        {
            throw Refuse($"the snapshot written to {partial} does not match the SHA-256 etcd sent ({onDisk ?? "no valid trailer"} on disk, {result.Sha256} received): the disk may be failing");
        }

        File.Move(partial, path, overwrite: true);
        if (OperatingSystem.IsLinux())
        {
            NativeMethods.FsyncDirectory(directory);
        }

        // etcd 3.4 sends no revision with the snapshot stream: the source's revision just before is a lower bound.
        var revision = result.Revision > 0 ? result.Revision : source.Status!.Revision ?? 0;
        var snapshot = new MemberReplacementSnapshot(path, result.Sha256, result.Size, revision, source.Member.Name);
        return new StepOutcome(checkpoint with { Snapshot = snapshot }, false,
            $"snapshot of {source.Member.Name} at revision {revision} saved to {path} ({SpaceRecovery.Size(result.Size)}, sha256 {result.Sha256}, owner-only)");
    }

    private async Task<StepOutcome> MoveLeaderAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var probed = await ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var leader = LeaderOf(probed);
        if (leader != checkpoint.OldMemberId)
        {
            var note = leader.IsNone ? "no leader known" : $"the leader is {Name(probed, leader)}";
            return new StepOutcome(checkpoint, true, $"{checkpoint.MemberName} does not lead ({note}); nothing to move");
        }

        var successor = HealthyOthers(probed).OrderByDescending(p => p.Status!.RaftAppliedIndex).FirstOrDefault()
            ?? throw Refuse($"{checkpoint.MemberName} leads and no other member is healthy to hand leadership to");
        Report(MemberReplacementStep.MoveLeader, MemberReplacementProgressKind.Waiting, $"moving leadership from {checkpoint.MemberName} to {successor.Member.Name}");
        await _client.MoveLeaderAsync(successor.Member.Id, CancellationToken.None).ConfigureAwait(false);
        await WaitUntilAsync(MemberReplacementStep.MoveLeader, _options.StopTimeout, async ct =>
        {
            var now = await ProbeAsync(checkHealth: false, ct).ConfigureAwait(false);
            var current = LeaderOf(now);
            return !current.IsNone && current != checkpoint.OldMemberId ? null : $"leadership is still with {Name(now, current)}";
        }, cancellationToken).ConfigureAwait(false);
        return new StepOutcome(checkpoint with { LeaderMovedTo = successor.Member.Id }, false, $"leadership moved from {checkpoint.MemberName} to {successor.Member.Name}");
    }

    private async Task<StepOutcome> StopMemberAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var wasStarted = await _host.IsStartedAsync(CancellationToken.None).ConfigureAwait(false);
        await _host.StopAsync(CancellationToken.None).ConfigureAwait(false);
        var endpoints = MemberEndpoints(checkpoint);
        var answered = false;
        await WaitUntilAsync(MemberReplacementStep.StopMember, _options.StopTimeout, async ct =>
        {
            foreach (var endpoint in endpoints)
            {
                if (await AnswersAsync(endpoint, ct).ConfigureAwait(false) is { } answer)
                {
                    answered = true;
                    return $"{endpoint} still answers ({answer})";
                }
            }

            return null;
        }, cancellationToken).ConfigureAwait(false);
        var alreadyDone = !wasStarted && !answered;
        return new StepOutcome(checkpoint, alreadyDone, alreadyDone
            ? $"{checkpoint.MemberName} was already stopped on {_host.Name}"
            : $"{checkpoint.MemberName} stopped on {_host.Name}; {string.Join(",", endpoints.Select(e => e.Text))} no longer answers");
    }

    private async Task<StepOutcome> RemoveMemberAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var probed = await ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        if (probed.MemberList.Find(checkpoint.OldMemberId) is not { } old)
        {
            return new StepOutcome(checkpoint, true, $"member {checkpoint.OldMemberId} is not in the member list: already removed");
        }

        // Never remove anything but the member this operation was started for.
        if ((old.IsStarted && old.Name != checkpoint.MemberName) || !MemberReplacementPlanner.SamePeerUrls(old.PeerUrls, checkpoint.OldPeerUrls))
        {
            throw Refuse($"member {old.Id} is now '{old.Name}' with peer URLs {string.Join(",", old.PeerUrls)}, not the {checkpoint.MemberName} ({string.Join(",", checkpoint.OldPeerUrls)}) this operation was started for; nothing was removed");
        }

        if (await EndpointsAnsweringAsync(MemberEndpoints(checkpoint), cancellationToken).ConfigureAwait(false) is { } still)
        {
            throw Refuse($"{checkpoint.MemberName} still answers on {still}: it must be stopped before it is removed");
        }

        EnsureQuorumWithout(probed, checkpoint.OldMemberId, "removing");
        await ChangeMemberAsync(MemberReplacementStep.RemoveMember, "member remove", _options.MemberChangeTimeout,
            () => _client.RemoveMemberAsync(checkpoint.OldMemberId, CancellationToken.None),
            async ct => (await ListAsync(ct).ConfigureAwait(false)).Find(checkpoint.OldMemberId) is null,
            [EtcdErrorCode.MemberNotFound], [], cancellationToken).ConfigureAwait(false);
        var after = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (after.Find(checkpoint.OldMemberId) is not null)
        {
            throw Refuse($"member {checkpoint.OldMemberId} is still in the member list after member remove");
        }

        return new StepOutcome(checkpoint, false, $"member {checkpoint.OldMemberId} ({checkpoint.MemberName}) removed; {after.Voters.Count} voting member(s) left");
    }

    private async Task<StepOutcome> ArchiveDataDirectoryAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        if (await _host.IsStartedAsync(CancellationToken.None).ConfigureAwait(false))
        {
            throw Refuse($"{checkpoint.MemberName} runs again on {_host.Name}: stop it before its data dir is moved aside");
        }

        if (await EndpointsAnsweringAsync(MemberEndpoints(checkpoint), cancellationToken).ConfigureAwait(false) is { } still)
        {
            throw Refuse($"{still} answers: an etcd still runs there, so its data dir cannot be moved aside");
        }

        var dataDirectory = checkpoint.DataDirectory;
        if (checkpoint.ArchivedDataDirectory is { } done && Directory.Exists(done) && !Directory.Exists(dataDirectory))
        {
            return new StepOutcome(checkpoint, true, $"{dataDirectory} already moved to {done}");
        }

        var archived = await _host.ArchiveDataDirectoryAsync(dataDirectory, CancellationToken.None).ConfigureAwait(false);
        if (archived is not null)
        {
            return new StepOutcome(checkpoint with { ArchivedDataDirectory = archived }, false, $"{dataDirectory} moved to {archived} (kept, never deleted)");
        }

        // No data dir: moved by a run that stopped before journaling it (find its archive), or there was none.
        var found = FindArchive(dataDirectory, checkpoint.CreatedAt);
        return new StepOutcome(checkpoint with { ArchivedDataDirectory = found }, true, found is null
            ? $"{dataDirectory} does not exist: nothing to move aside"
            : $"{dataDirectory} was already moved to {found}");
    }

    private async Task<StepOutcome> AddMemberAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var list = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (list.Find(checkpoint.OldMemberId) is not null)
        {
            throw Refuse($"the old member {checkpoint.OldMemberId} is still in the member list: etcd's rule is remove before add");
        }

        if (FindOurs(list, checkpoint) is { } existing)
        {
            return new StepOutcome(checkpoint with { NewMemberId = existing.Id }, true,
                $"a member with peer URLs {string.Join(",", checkpoint.PeerUrls)} exists already ({existing.Id}{(existing.IsLearner ? ", learner" : string.Empty)}): the same add, its ID is reused");
        }

        if (checkpoint.AsLearner && list.Members.FirstOrDefault(m => m.IsLearner) is { } learner)
        {
            throw Refuse($"member {learner.Id} is a learner already and etcd allows one at a time: promote or remove it first");
        }

        if (list.Members.FirstOrDefault(m => !m.IsStarted) is { } waiting)
        {
            throw Refuse($"member {waiting.Id} (peer URLs {string.Join(",", waiting.PeerUrls)}) was added but has not started: start or remove it first");
        }

        var probed = await ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        if (!checkpoint.AsLearner)
        {
            // A new voter counts towards quorum before it has started: every current voter must be up.
            var down = probed.Probes.Where(p => !p.Member.IsLearner && p.IsHealthy != true).Select(p => p.Member.Name).ToList();
            if (down.Count > 0)
            {
                throw Refuse($"adding a voter while {string.Join(", ", down)} is down could cost quorum; bring it back first (or add as a learner)");
            }
        }

        await ChangeMemberAsync(MemberReplacementStep.AddMember, "member add", _options.MemberChangeTimeout,
            () => _client.AddMemberAsync(checkpoint.PeerUrls, checkpoint.AsLearner, CancellationToken.None),
            async ct => FindOurs(await ListAsync(ct).ConfigureAwait(false), checkpoint) is not null,
            [EtcdErrorCode.PeerUrlExists], [], cancellationToken).ConfigureAwait(false);
        var added = FindOurs(await ListAsync(cancellationToken).ConfigureAwait(false), checkpoint)
            ?? throw Refuse($"member add succeeded but no member with peer URLs {string.Join(",", checkpoint.PeerUrls)} is listed");
        return new StepOutcome(checkpoint with { NewMemberId = added.Id }, false,
            $"{checkpoint.MemberName} added back as member {added.Id} ({(added.IsLearner ? "learner" : "voter")}) with peer URLs {string.Join(",", checkpoint.PeerUrls)}");
    }

    private async Task<StepOutcome> UpdateManifestAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var newId = RequireNewId(checkpoint);
        var list = await ListAsync(cancellationToken).ConfigureAwait(false);
        if (list.Find(newId) is null)
        {
            throw Refuse($"the new member {newId} is not in the member list (removed by someone else?)");
        }

        var initialCluster = MemberReplacementPlanner.RebuildInitialCluster(list.Members, checkpoint.MemberName, checkpoint.PeerUrls, newId);
        var manifest = await _host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        if (manifest.GetName() != checkpoint.MemberName)
        {
            throw Refuse($"{_host.ManifestPath} now runs '{manifest.GetName()}', not {checkpoint.MemberName}; nothing was edited");
        }

        var edited = manifest.SetInitialClusterState(InitialClusterState.Existing).SetInitialCluster(initialCluster);
        var saved = await _host.SaveManifestAsync(edited, dryRun: false, CancellationToken.None).ConfigureAwait(false);
        return new StepOutcome(checkpoint, !saved.Written, saved.Written
            ? $"{saved.Path}: --initial-cluster-state=existing --initial-cluster={initialCluster}{(saved.BackupPath is null ? string.Empty : $" (backup {saved.BackupPath})")}"
            : $"{saved.Path} already has --initial-cluster-state=existing --initial-cluster={initialCluster}");
    }

    private async Task<StepOutcome> StartMemberAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var manifest = await _host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        if (manifest.GetInitialClusterState() != InitialClusterState.Existing)
        {
            throw Refuse($"{_host.ManifestPath} no longer says --initial-cluster-state=existing (regenerated?); the member would try to bootstrap a new cluster");
        }

        if (await _host.IsStartedAsync(CancellationToken.None).ConfigureAwait(false))
        {
            return new StepOutcome(checkpoint, true, $"{checkpoint.MemberName} already started on {_host.Name}");
        }

        var clusterVersion = MemberBinaryCheck.ClusterVersion((await _client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false)).Reachable);
        var binary = await MemberBinaryCheck.CheckAsync(_host, manifest, clusterVersion, checkpoint.MemberName, cancellationToken).ConfigureAwait(false);
        if (!binary.Passed)
        {
            throw Refuse(binary.Detail.TrimEnd('.'));
        }

        await _host.StartAsync(CancellationToken.None).ConfigureAwait(false);
        return new StepOutcome(checkpoint, false, $"{checkpoint.MemberName} started on {_host.Name} from {_host.ManifestPath}");
    }

    private async Task<StepOutcome> WaitForCatchUpAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var newId = RequireNewId(checkpoint);
        var endpoint = (MemberEndpoints(checkpoint) is [var first, ..] ? first : null)
            ?? throw Refuse($"{checkpoint.MemberName} has no client URL to watch it on (no --advertise-client-urls)");
        EndpointStatus? last = null;
        await WaitUntilAsync(MemberReplacementStep.WaitForCatchUp, _options.CatchUpTimeout, async ct =>
        {
            if (!await _host.IsStartedAsync(ct).ConfigureAwait(false))
            {
                throw Refuse($"etcd is not running on {_host.Name} any more (it exited: see its log){(_host is LocalProcessEtcdHost local ? $" {local.LogFile}" : string.Empty)}");
            }

            EndpointStatus status;
            try
            {
                status = await _client.GetStatusAsync(endpoint, ct).ConfigureAwait(false);
            }
            catch (EtcdException ex)
            {
                return $"{endpoint} does not answer yet ({ex.ErrorCode})";
            }

            if (status.Header?.ClusterId != checkpoint.ClusterId || status.MemberId != newId)
            {
                return $"{endpoint} answers as member {status.MemberId} of cluster {status.Header?.ClusterIdHex}, not as {newId}";
            }

            var leaderIndex = await LeaderIndexAsync(ct).ConfigureAwait(false);
            if (leaderIndex > status.RaftAppliedIndex && leaderIndex - status.RaftAppliedIndex > _options.CatchUpMaxLag)
            {
                return $"applied raft index {status.RaftAppliedIndex} of the leader's {leaderIndex}";
            }

            last = status;
            if (checkpoint.AsLearner)
            {
                // etcd serves learners Status only: their hash is compared once promoted (Verify).
                return null;
            }

            return await HashMismatchAsync(newId, ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
        return new StepOutcome(checkpoint, false, checkpoint.AsLearner
            ? $"{checkpoint.MemberName} ({newId}) caught up: applied raft index {last?.RaftAppliedIndex}"
            : $"{checkpoint.MemberName} ({newId}) caught up: applied raft index {last?.RaftAppliedIndex}, same hash as the other members");
    }

    private async Task<StepOutcome> PromoteMemberAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var newId = RequireNewId(checkpoint);
        var member = (await ListAsync(cancellationToken).ConfigureAwait(false)).Find(newId)
            ?? throw Refuse($"the new member {newId} is not in the member list");
        if (!member.IsLearner)
        {
            return new StepOutcome(checkpoint, true, checkpoint.AsLearner ? $"{checkpoint.MemberName} ({newId}) is a voting member already" : "added as a voter: nothing to promote");
        }

        await ChangeMemberAsync(MemberReplacementStep.PromoteMember, "member promote", _options.PromoteTimeout,
            () => _client.PromoteMemberAsync(newId, CancellationToken.None),
            async ct => (await ListAsync(ct).ConfigureAwait(false)).Find(newId) is { IsLearner: false },
            [EtcdErrorCode.MemberNotLearner], [EtcdErrorCode.LearnerNotReady], cancellationToken).ConfigureAwait(false);
        return new StepOutcome(checkpoint, false, $"{checkpoint.MemberName} ({newId}) promoted to a voting member");
    }

    private async Task<StepOutcome> VerifyAsync(CancellationToken cancellationToken)
    {
        var checkpoint = _checkpoint;
        var newId = RequireNewId(checkpoint);
        ConsistencyReport? report = null;
        await WaitUntilAsync(MemberReplacementStep.Verify, _options.VerifyTimeout, async ct =>
        {
            var observation = await _checker.ObserveAsync(ct, checkpoint.ClusterId).ConfigureAwait(false);
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
        _finalCheck = report;
        var followThrough = await FollowThroughAsync(checkpoint, newId, cancellationToken).ConfigureAwait(false);
        return new StepOutcome(checkpoint, false,
            $"{report!.Members.Count} members started, voting and healthy; hash {report.MajorityHash} on every member at revision {report.HashRevision}{followThrough}");
    }

    /// <summary>
    /// Defragments the rejoined member when it needs it (or stops with that advice where the options forbid it), disarms a
    /// NOSPACE its size raised once every member is under 90% of its quota, and proves with a probe write that writes work.
    /// </summary>
    private async Task<string> FollowThroughAsync(MemberReplacementCheckpoint checkpoint, MemberId newId, CancellationToken cancellationToken)
    {
        var note = string.Empty;
        var endpoint = MemberEndpoints(checkpoint) is [var first, ..] ? first : throw Refuse($"{checkpoint.MemberName} has no client URL to check its size on");
        var status = await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
        var decision = _options.DefragmentRejoinedMemberWhen.Evaluate(status);
        if (decision.Defragment)
        {
            if (!_options.DefragmentRejoinedMember)
            {
                throw Refuse($"the rejoined {checkpoint.MemberName} needs a defragment ({decision.Reason}) and the options do not allow it here: " +
                    $"run 'etcdctl --endpoints={endpoint} --command-timeout=120s defrag', then resume the replacement to finish");
            }

            Report(MemberReplacementStep.Verify, MemberReplacementProgressKind.Waiting, $"defragmenting the rejoined {checkpoint.MemberName} ({decision.Reason})");
            await _client.DefragmentAsync(endpoint, cancellationToken).ConfigureAwait(false);
            var target = await MemberReadiness.LeaderIndexAsync(_client, endpoint, cancellationToken).ConfigureAwait(false);
            var after = await MemberReadiness.WaitUntilBackAsync(_client, endpoint, target, OperationName, _options.VerifyTimeout, _options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
            note = $"; defragmented the rejoined {checkpoint.MemberName}: {SpaceRecovery.Size(status.DbSize)} -> {SpaceRecovery.Size(after.DbSize)}";
        }

        var alarms = await NoSpaceDisarm.DisarmIfUnderAsync(_client, 0.9, s => s, cancellationToken).ConfigureAwait(false);
        if (alarms.Disarmed.Count > 0)
        {
            note += "; NOSPACE disarmed (every member under 90% of its quota)";
        }

        try
        {
            await _client.ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (EtcdException ex)
        {
            throw Refuse($"writes fail after the replacement ({ex.Message}){(alarms.Kept is { } kept ? $": {kept}" : string.Empty)}", ex);
        }

        return note + "; a probe write succeeded";
    }
}
