using System.Globalization;

namespace EtcdMaintenance.Operations;

// What the replacement's steps share: probing members, quorum, member changes with retries, waiting on conditions.
internal sealed partial class MemberReplacementRun
{
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
}
