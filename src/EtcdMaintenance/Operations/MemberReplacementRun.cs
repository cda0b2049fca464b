using System.Globalization;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// The library's <see cref="MemberReplacementOperation"/>: runs the steps one at a time, each first checking whether its
/// work is already done (the cluster and the host are the source of truth), then journaling before the next starts.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The SemaphoreSlim's wait handle is never used, so it holds nothing to dispose; the handle has no Dispose in its public shape.")]
internal sealed class MemberReplacementRun : MemberReplacementOperation
{
    private const string OperationName = "MemberReplacement";

    private readonly IEtcdMaintenanceClient _client;
    private readonly IEtcdMemberHost _host;
    private readonly MemberReplacementOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly IProgress<MemberReplacementProgress>? _progress;
    private readonly ConsistencyChecker _checker;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly List<MemberReplacementProgress> _events = [];
    private readonly List<Channel<MemberReplacementProgress>> _watchers = [];
    private readonly long _started;
    private readonly bool _useTls;
    private MemberReplacementCheckpoint _checkpoint;
    private ConsistencyReport? _finalCheck;
    private bool _idleAfterFailure;

    public MemberReplacementRun(
        IEtcdMaintenanceClient client, IEtcdMemberHost host, MemberReplacementOptions options, ILogger logger, TimeProvider timeProvider,
        IProgress<MemberReplacementProgress>? progress, string journalPath, MemberReplacementCheckpoint checkpoint)
    {
        _client = client;
        _host = host;
        _options = options;
        _logger = logger;
        _timeProvider = timeProvider;
        _progress = progress;
        _checker = new ConsistencyChecker(client, options.Consistency, logger, timeProvider);
        _started = timeProvider.GetTimestamp();
        _useTls = client.Endpoints.Any(e => e.UsesTls);
        JournalPath = journalPath;
        _checkpoint = checkpoint;
    }

    public override string Id => _checkpoint.OperationId;

    public override string JournalPath { get; }

    public override MemberReplacementStep CurrentStep => Volatile.Read(ref _checkpoint).NextStep;

    public override bool HasCompleted => Volatile.Read(ref _checkpoint).IsCompleted;

    public override MemberReplacementCheckpoint GetCheckpoint() => Volatile.Read(ref _checkpoint);

    public override async ValueTask<MemberReplacementResult> WaitForCompletionAsync(CancellationToken cancellationToken = default)
    {
        while (!HasCompleted)
        {
            // The safe point: between steps, after the last one was journaled.
            cancellationToken.ThrowIfCancellationRequested();
            await UpdateStatusAsync(cancellationToken).ConfigureAwait(false);
        }

        return Result();
    }

    public override async ValueTask UpdateStatusAsync(CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (HasCompleted)
            {
                return;
            }

            var step = _checkpoint.NextStep;
            lock (_events)
            {
                _idleAfterFailure = false;
            }

            Report(step, MemberReplacementProgressKind.StepStarted, $"{MemberReplacementPlanner.Describe(step)}: started");
            StepOutcome outcome;
            try
            {
                outcome = await RunStepAsync(step, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex) when (ex is EtcdException or IOException or UnauthorizedAccessException or InvalidOperationException or ManifestException or InvalidDataException or TimeoutException)
            {
                throw await FailAsync(step, ex).ConfigureAwait(false);
            }

            var next = Next(step);
            var now = _timeProvider.GetUtcNow();
            var updated = outcome.Checkpoint with
            {
                NextStep = next,
                CompletedSteps = [.. outcome.Checkpoint.CompletedSteps, new MemberReplacementStepRecord(step, now, outcome.AlreadyDone, outcome.Note) { Node = _host.Name, RunMode = MemberHostRunMode.Of(_host) }],
                UpdatedAt = now,
                LastError = null,
            };
            await MemberReplacementJournal.WriteAsync(JournalPath, updated, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _checkpoint, updated);
            OperationsLog.ReplacementJournalWritten(_logger, Id, JournalPath, next);
            Report(step, outcome.AlreadyDone ? MemberReplacementProgressKind.StepSkipped : MemberReplacementProgressKind.StepCompleted,
                $"{MemberReplacementPlanner.Describe(step)}: {outcome.Note}");
            if (next == MemberReplacementStep.Completed)
            {
                Report(MemberReplacementStep.Completed, MemberReplacementProgressKind.Completed,
                    $"{_checkpoint.MemberName} replaced: member {_checkpoint.OldMemberId} -> {_checkpoint.NewMemberId}; old data dir kept at {_checkpoint.ArchivedDataDirectory ?? "(none existed)"}");
                CompleteWatchers();
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public override async IAsyncEnumerable<MemberReplacementProgress> WatchProgressAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var channel = Channel.CreateUnbounded<MemberReplacementProgress>(new UnboundedChannelOptions { SingleReader = true });
        lock (_events)
        {
            foreach (var past in _events)
            {
                channel.Writer.TryWrite(past);
            }

            if (HasCompleted || _idleAfterFailure)
            {
                channel.Writer.TryComplete();
            }
            else
            {
                _watchers.Add(channel);
            }
        }

        try
        {
            await foreach (var item in channel.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return item;
            }
        }
        finally
        {
            lock (_events)
            {
                _watchers.Remove(channel);
            }
        }
    }

    internal MemberReplacementResult Result()
    {
        var checkpoint = GetCheckpoint();
        return new MemberReplacementResult(checkpoint.OperationId, checkpoint.MemberName, checkpoint.OldMemberId, checkpoint.NewMemberId ?? MemberId.None,
            checkpoint.ArchivedDataDirectory, checkpoint.Snapshot, _finalCheck, checkpoint.CompletedSteps);
    }

    private static MemberReplacementStep Next(MemberReplacementStep step) => step switch
    {
        MemberReplacementStep.Verify => MemberReplacementStep.Completed,
        MemberReplacementStep.Completed => MemberReplacementStep.Completed,
        _ => step + 1,
    };

    private Task<StepOutcome> RunStepAsync(MemberReplacementStep step, CancellationToken cancellationToken) => step switch
    {
        MemberReplacementStep.Snapshot => SnapshotAsync(cancellationToken),
        MemberReplacementStep.MoveLeader => MoveLeaderAsync(cancellationToken),
        MemberReplacementStep.StopMember => StopMemberAsync(cancellationToken),
        MemberReplacementStep.RemoveMember => RemoveMemberAsync(cancellationToken),
        MemberReplacementStep.ArchiveDataDirectory => ArchiveDataDirectoryAsync(cancellationToken),
        MemberReplacementStep.AddMember => AddMemberAsync(cancellationToken),
        MemberReplacementStep.UpdateManifest => UpdateManifestAsync(cancellationToken),
        MemberReplacementStep.StartMember => StartMemberAsync(cancellationToken),
        MemberReplacementStep.WaitForCatchUp => WaitForCatchUpAsync(cancellationToken),
        MemberReplacementStep.PromoteMember => PromoteMemberAsync(cancellationToken),
        MemberReplacementStep.Verify => VerifyAsync(cancellationToken),
        _ => throw new InvalidOperationException($"The journal's next step {step} is not a step this library knows."),
    };

    // ---- Steps -------------------------------------------------------------------------------------------------------

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

    // ---- Helpers -----------------------------------------------------------------------------------------------------

    private Task<ProbedMembers> ProbeAsync(bool checkHealth, CancellationToken cancellationToken) =>
        _checker.ProbeMembersAsync(_checkpoint.ClusterId, checkHealth, cancellationToken);

    private async Task<EtcdMemberList> ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
        if (list.Header.ClusterId != _checkpoint.ClusterId)
        {
            throw Refuse($"the member list came from member {list.Header.MemberId} of cluster {list.Header.ClusterIdHex}, not from cluster {_checkpoint.ClusterIdHex}: leave that member's endpoint out");
        }

        return list;
    }

    private IEnumerable<MemberProbe> HealthyOthers(ProbedMembers probed) =>
        probed.Probes.Where(p => p.Member.Id != _checkpoint.OldMemberId && (_checkpoint.NewMemberId is not { } n || p.Member.Id != n)
            && !p.Member.IsLearner && p.IsSameMember(probed.ClusterId) && p.IsHealthy == true);

    private static MemberId LeaderOf(ProbedMembers probed) =>
        probed.Probes.Where(p => p.IsSameMember(probed.ClusterId)).Select(p => p.Status!.Leader).Where(l => !l.IsNone)
            .GroupBy(l => l).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();

    private static string Name(ProbedMembers probed, MemberId id) =>
        id.IsNone ? "no one" : probed.MemberList.Find(id) is { IsStarted: true } m ? m.Name : id.ToString();

    private void EnsureQuorumWithout(ProbedMembers probed, MemberId leaving, string doing)
    {
        var voters = probed.MemberList.Voters;
        var quorum = (voters.Count / 2) + 1;
        var healthy = probed.Probes.Where(p => p.Member.Id != leaving && !p.Member.IsLearner && p.IsSameMember(probed.ClusterId) && p.IsHealthy == true).ToList();
        if (healthy.Count < quorum)
        {
            var down = probed.Probes.Where(p => p.Member.Id != leaving && !healthy.Contains(p)).Select(p => p.Member.IsStarted ? p.Member.Name : p.Member.Id.ToString());
            throw Refuse($"{doing} {_checkpoint.MemberName} now would leave {healthy.Count} healthy voting member(s), below the quorum of {quorum} ({string.Join(", ", down)} down)");
        }
    }

    private async Task<ulong> LeaderIndexAsync(CancellationToken cancellationToken)
    {
        var status = await _client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        var same = status.Reachable.Where(s => s.Header?.ClusterId == _checkpoint.ClusterId).ToList();
        return same.FirstOrDefault(s => s.IsLeader)?.RaftIndex ?? same.Select(s => s.RaftIndex).DefaultIfEmpty(0UL).Max();
    }

    private async Task<string?> HashMismatchAsync(MemberId newId, CancellationToken cancellationToken)
    {
        var probed = await ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var candidates = probed.Probes.Where(p => p.IsSameMember(probed.ClusterId) && !p.Member.IsLearner && (p.Member.Id == newId || p.IsHealthy == true)).ToList();
        if (candidates.All(c => c.Member.Id != newId))
        {
            return "the new member does not answer for the cluster yet";
        }

        var hashing = await _checker.HashAsync(candidates, cancellationToken).ConfigureAwait(false);
        if (!hashing.Results.TryGetValue(newId, out var own))
        {
            return $"the new member could not be hashed yet ({(hashing.Errors.TryGetValue(newId, out var e) ? e.ErrorCode : EtcdErrorCode.Unknown)})";
        }

        var different = hashing.Results.Values.Where(r => r.CompactRevision != own.CompactRevision || r.Hash != own.Hash).ToList();
        return different.Count == 0 && hashing.Results.Count >= 2 ? null : $"its hash {own.Hash} at revision {hashing.Revision} is not yet everyone's";
    }

    private IReadOnlyList<EtcdEndpoint> MemberEndpoints(MemberReplacementCheckpoint checkpoint) =>
        [.. checkpoint.ClientUrls.Select(u => EtcdEndpoint.TryParse(u, _useTls, out var e, out _) ? e : null).OfType<EtcdEndpoint>()];

    /// <summary>What the endpoint answered, or <see langword="null"/> when it refuses connections (nothing listens).</summary>
    private async Task<string?> AnswersAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            var status = await _client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
            return $"as member {status.MemberId} of cluster {status.Header?.ClusterIdHex}";
        }
        catch (EtcdException ex) when (ex.ErrorCode == EtcdErrorCode.EndpointUnavailable)
        {
            return null;
        }
        catch (EtcdException ex)
        {
            return ex.ErrorCode.ToString();
        }
    }

    private async Task<string?> EndpointsAnsweringAsync(IReadOnlyList<EtcdEndpoint> endpoints, CancellationToken cancellationToken)
    {
        foreach (var endpoint in endpoints)
        {
            if (await AnswersAsync(endpoint, cancellationToken).ConfigureAwait(false) is { } answer)
            {
                return $"{endpoint} ({answer})";
            }
        }

        return null;
    }

    private static EtcdMember? FindOurs(EtcdMemberList list, MemberReplacementCheckpoint checkpoint)
    {
        var match = list.Members.FirstOrDefault(m => m.Id != checkpoint.OldMemberId && MemberReplacementPlanner.SamePeerUrls(m.PeerUrls, checkpoint.PeerUrls));
        if (match is { IsStarted: true } && match.Name != checkpoint.MemberName)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName}: peer URLs {string.Join(",", checkpoint.PeerUrls)} belong to member {match.Id} named '{match.Name}', not to {checkpoint.MemberName}.",
                null, OperationName);
        }

        return match;
    }

    private static string? FindArchive(string dataDirectory, DateTimeOffset since)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        var parent = Path.GetDirectoryName(full);
        if (parent is null || !Directory.Exists(parent))
        {
            return null;
        }

        var floor = Path.GetFileName(full) + ".replaced-" + since.AddMinutes(-1).ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        return Directory.EnumerateDirectories(parent, Path.GetFileName(full) + ".replaced-*")
            .Where(d => string.CompareOrdinal(Path.GetFileName(d), floor) >= 0)
            .OrderByDescending(d => Path.GetFileName(d), StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private MemberId RequireNewId(MemberReplacementCheckpoint checkpoint) =>
        checkpoint.NewMemberId ?? throw Refuse("the journal has no new member ID although the member was added (the journal was edited?)");

    /// <summary>
    /// Sends a member change; retries while etcd refuses it as "unhealthy cluster" (and the given codes) or the call failed
    /// in a way that leaves its outcome unknown, each time checking first whether it took effect. Never retries blindly.
    /// </summary>
    private async Task ChangeMemberAsync<T>(
        MemberReplacementStep step, string what, TimeSpan timeout, Func<Task<T>> call, Func<CancellationToken, Task<bool>> isDone,
        EtcdErrorCode[] meansDone, EtcdErrorCode[] retryAlsoOn, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        var delay = _options.PollInterval;
        var first = true;
        while (true)
        {
            string reason;
            try
            {
                if (!first && await isDone(cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                first = false;
                await call().ConfigureAwait(false);
                return;
            }
            catch (EtcdException ex) when (meansDone.Contains(ex.ErrorCode))
            {
                return;
            }
            catch (EtcdException ex) when (ex is not EtcdSafetyCheckException
                && (ex.ErrorCode == EtcdErrorCode.UnhealthyCluster || retryAlsoOn.Contains(ex.ErrorCode) || ex.IsTransient || ex.ErrorCode == EtcdErrorCode.NotLeader))
            {
                reason = ex.ServerMessage ?? ex.ErrorCode.ToString();
                if (_timeProvider.GetElapsedTime(started) >= timeout)
                {
                    throw Refuse($"{what} was still refused after {EtcdErrors.Format(timeout)}: {ex.Message}", ex);
                }
            }

            OperationsLog.ReplacementRetrying(_logger, Id, what, reason, delay);
            Report(step, MemberReplacementProgressKind.Waiting, $"{what} refused ({reason}); trying again in {EtcdErrors.Format(delay)}");
            await Task.Delay(delay, _timeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Polls <paramref name="check"/> (it returns why not yet, or <see langword="null"/> when done) until it holds or the timeout passes.</summary>
    private async Task WaitUntilAsync(MemberReplacementStep step, TimeSpan timeout, Func<CancellationToken, Task<string?>> check, CancellationToken cancellationToken)
    {
        var started = _timeProvider.GetTimestamp();
        string? reported = null;
        while (true)
        {
            var reason = await check(cancellationToken).ConfigureAwait(false);
            if (reason is null)
            {
                return;
            }

            if (_timeProvider.GetElapsedTime(started) >= timeout)
            {
                throw Refuse($"{MemberReplacementPlanner.Describe(step)} did not finish within {EtcdErrors.Format(timeout)}: {reason}");
            }

            if (reason != reported)
            {
                Report(step, MemberReplacementProgressKind.Waiting, $"waiting: {reason}");
                reported = reason;
            }

            await Task.Delay(_options.PollInterval, _timeProvider, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task<string?> HashFileAsync(string path, CancellationToken cancellationToken)
    {
        using var verifier = new SnapshotVerifier();
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[1 << 16];
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                verifier.Append(buffer.AsSpan(0, read));
            }
        }

        return verifier.TryComplete(out var sha256) ? sha256 : null;
    }

    private EtcdSafetyCheckException Refuse(string what, EtcdException? inner = null) =>
        new($"{OperationName} {Id}: {what}.", inner?.Endpoint, OperationName);

    private async Task<MemberReplacementException> FailAsync(MemberReplacementStep step, Exception error)
    {
        var checkpoint = _checkpoint with { LastError = $"{step}: {error.Message}", UpdatedAt = _timeProvider.GetUtcNow() };
        try
        {
            await MemberReplacementJournal.WriteAsync(JournalPath, checkpoint, CancellationToken.None).ConfigureAwait(false);
            Volatile.Write(ref _checkpoint, checkpoint);
        }
        catch (IOException)
        {
            // The journal still holds the last completed step, which is what a resume needs.
        }

        var (continueAdvice, rollbackAdvice) = Advice(step, checkpoint);
        var message = $"Member replacement {Id} of {checkpoint.MemberName} stopped at step {(int)step} ({MemberReplacementPlanner.Describe(step)}): {error.Message} " +
                      $"Done so far: {Done(checkpoint)}. To continue: {continueAdvice} To roll back: {rollbackAdvice}";
        OperationsLog.ReplacementFailed(_logger, Id, step, error.Message);
        Report(step, MemberReplacementProgressKind.StepFailed, $"{MemberReplacementPlanner.Describe(step)} failed: {error.Message}");
        lock (_events)
        {
            _idleAfterFailure = true;
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }

        return new MemberReplacementException(message, Id, step, JournalPath, continueAdvice, rollbackAdvice, error);
    }

    private static string Done(MemberReplacementCheckpoint checkpoint) => checkpoint.CompletedSteps.Count == 0
        ? "nothing"
        : string.Join(", ", checkpoint.CompletedSteps.Select(s => MemberReplacementPlanner.Describe(s.Step)));

    private (string Continue, string Rollback) Advice(MemberReplacementStep step, MemberReplacementCheckpoint checkpoint)
    {
        var resume = $"fix the cause above, then resume from the journal: MemberReplacementCoordinator.ResumeAsync(\"{JournalPath}\", host) or etcd-doctor replace-member --resume {JournalPath}; steps already done are recognised and skipped.";
        var setAside = $"Then move the journal {JournalPath} out of {Path.GetDirectoryName(JournalPath)} (while it is there, it blocks other replacements).";
        var old = checkpoint.OldMemberId;
        var rollback = step switch
        {
            <= MemberReplacementStep.MoveLeader =>
                $"nothing was changed in the cluster ({checkpoint.MemberName} still runs as {old}). {setAside}",
            MemberReplacementStep.StopMember or MemberReplacementStep.RemoveMember =>
                $"{checkpoint.MemberName} is still member {old} with its data dir untouched: start it again on {_host.Name} ({HostCommands.For(_host).Start}). {setAside}",
            MemberReplacementStep.ArchiveDataDirectory or MemberReplacementStep.AddMember =>
                $"member {old} is removed and cannot come back with its old identity; the cluster runs with {checkpoint.VoterCount - 1} voting members until the replacement is added. " +
                $"Continuing is the way back to {checkpoint.VoterCount}. The data dir {(checkpoint.ArchivedDataDirectory is { } a ? $"was moved to {a}" : $"is still at {checkpoint.DataDirectory}")}; the snapshot is {checkpoint.Snapshot?.Path ?? "not taken"}. {setAside}",
            _ =>
                $"member {old} is removed; to take the new member {checkpoint.NewMemberId} out again: stop it on {_host.Name}, then 'etcdctl member remove {checkpoint.NewMemberId}' " +
                $"(the cluster then runs with {checkpoint.VoterCount - 1} voting members). The old data dir is at {checkpoint.ArchivedDataDirectory ?? "(none existed)"} and the snapshot at {checkpoint.Snapshot?.Path ?? "(none)"}. {setAside}",
        };
        return (resume, rollback);
    }

    private void Report(MemberReplacementStep step, MemberReplacementProgressKind kind, string message)
    {
        var item = new MemberReplacementProgress(Id, step, kind, message, _timeProvider.GetElapsedTime(_started));
        OperationsLog.ReplacementProgress(_logger, Id, step, kind, message);
        lock (_events)
        {
            _events.Add(item);
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryWrite(item);
            }
        }

        _progress?.Report(item);
    }

    private void CompleteWatchers()
    {
        lock (_events)
        {
            foreach (var watcher in _watchers)
            {
                watcher.Writer.TryComplete();
            }

            _watchers.Clear();
        }
    }

    private sealed record StepOutcome(MemberReplacementCheckpoint Checkpoint, bool AlreadyDone, string Note);
}
