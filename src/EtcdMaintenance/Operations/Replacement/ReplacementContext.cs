using System.Globalization;
using EtcdMaintenance.Hosting;
using Microsoft.Extensions.Logging;

namespace EtcdMaintenance.Operations;

/// <summary>
/// What a replacement's steps share: the client, the member's host, the options, the journal's checkpoint as the step
/// starts, progress reporting, and the checks every step uses (probing members, quorum, member changes with retries,
/// waiting on conditions). The planner's context carries only the <see cref="Outline"/> the step descriptions name.
/// </summary>
internal sealed class ReplacementContext
{
    private const string OperationName = "MemberReplacement";

    private readonly ReplacementOutline? _outline;
    private readonly RunServices? _run;
    private StepOutcome? _outcome;

    private ReplacementContext(ReplacementOutline? outline, RunServices? run, MemberReplacementCheckpoint? checkpoint)
    {
        _outline = outline;
        _run = run;
        Checkpoint = checkpoint!;
    }

    /// <summary>The journal as it stood when the current step started.</summary>
    public MemberReplacementCheckpoint Checkpoint { get; private set; }

    /// <summary>What the plan's descriptions name (only in the planner's context).</summary>
    public ReplacementOutline Outline => _outline ?? throw new InvalidOperationException("A running replacement describes its steps by label, not from a plan outline.");

    public string OperationId => Checkpoint.OperationId;

    public IEtcdMaintenanceClient Client => Run.Client;

    public IEtcdMemberHost Host => Run.Host;

    public MemberReplacementOptions Options => Run.Options;

    public TimeProvider TimeProvider => Run.TimeProvider;

    public string JournalPath => Run.JournalPath;

    public ConsistencyChecker Checker => Run.Checker;

    /// <summary>The consistency report the last step (Verify) ended on.</summary>
    public ConsistencyReport? FinalCheck { get; set; }

    private RunServices Run => _run ?? throw new InvalidOperationException("The planner's replacement context has no client or host: it only describes steps.");

    /// <summary>The context the planner describes the steps with.</summary>
    public static ReplacementContext ForPlan(ReplacementOutline outline) => new(outline, null, null);

    /// <summary>The context a run executes the steps with.</summary>
    public static ReplacementContext ForRun(
        IEtcdMaintenanceClient client, IEtcdMemberHost host, MemberReplacementOptions options, ILogger logger, TimeProvider timeProvider,
        string journalPath, MemberReplacementCheckpoint checkpoint, Action<MemberReplacementStep, MemberReplacementProgressKind, string> report) =>
        new(null, new RunServices(client, host, options, logger, timeProvider, new ConsistencyChecker(client, options.Consistency, logger, timeProvider),
            client.Endpoints.Any(e => e.UsesTls), journalPath, report), checkpoint);

    /// <summary>Starts a step from the journal as it stands.</summary>
    public void Begin(MemberReplacementCheckpoint checkpoint)
    {
        Checkpoint = checkpoint;
        _outcome = null;
    }

    /// <summary>Records that the step did its work, with the journal as it is after it.</summary>
    public void Did(string note, MemberReplacementCheckpoint? checkpoint = null) => _outcome = new StepOutcome(checkpoint ?? Checkpoint, false, note);

    /// <summary>Records that the step's work was found already done, with the journal as it is after it.</summary>
    public void Found(string note, MemberReplacementCheckpoint? checkpoint = null) => _outcome = new StepOutcome(checkpoint ?? Checkpoint, true, note);

    /// <summary>What the step recorded.</summary>
    /// <exception cref="InvalidOperationException">The step recorded nothing (a bug in the step).</exception>
    public StepOutcome TakeOutcome(ReplacementStep step) =>
        _outcome ?? throw new InvalidOperationException($"Step {step.Name} finished without recording what it did.");

    public void Report(MemberReplacementStep step, MemberReplacementProgressKind kind, string message) => Run.Report(step, kind, message);

    public EtcdSafetyCheckException Refuse(string what, EtcdException? inner = null) =>
        new($"{OperationName} {OperationId}: {what}.", inner?.Endpoint, OperationName);

    public Task<ProbedMembers> ProbeAsync(bool checkHealth, CancellationToken cancellationToken) =>
        Run.Checker.ProbeMembersAsync(Checkpoint.ClusterId, checkHealth, cancellationToken);

    public async Task<EtcdMemberList> ListAsync(CancellationToken cancellationToken)
    {
        var list = await Run.Client.ListMembersAsync(cancellationToken).ConfigureAwait(false);
        if (list.Header.ClusterId != Checkpoint.ClusterId)
        {
            throw Refuse($"the member list came from member {list.Header.MemberId} of cluster {list.Header.ClusterIdHex}, not from cluster {Checkpoint.ClusterIdHex}: leave that member's endpoint out");
        }

        return list;
    }

    public IEnumerable<MemberProbe> HealthyOthers(ProbedMembers probed) =>
        probed.Probes.Where(p => p.Member.Id != Checkpoint.OldMemberId && (Checkpoint.NewMemberId is not { } n || p.Member.Id != n)
            && !p.Member.IsLearner && p.IsSameMember(probed.ClusterId) && p.IsHealthy == true);

    public static MemberId LeaderOf(ProbedMembers probed) =>
        probed.Probes.Where(p => p.IsSameMember(probed.ClusterId)).Select(p => p.Status!.Leader).Where(l => !l.IsNone)
            .GroupBy(l => l).OrderByDescending(g => g.Count()).Select(g => g.Key).FirstOrDefault();

    public static string Name(ProbedMembers probed, MemberId id) =>
        id.IsNone ? "no one" : probed.MemberList.Find(id) is { IsStarted: true } m ? m.Name : id.ToString();

    public void EnsureQuorumWithout(ProbedMembers probed, MemberId leaving, string doing)
    {
        var voters = probed.MemberList.Voters;
        var quorum = (voters.Count / 2) + 1;
        var healthy = probed.Probes.Where(p => p.Member.Id != leaving && !p.Member.IsLearner && p.IsSameMember(probed.ClusterId) && p.IsHealthy == true).ToList();
        if (healthy.Count < quorum)
        {
            var down = probed.Probes.Where(p => p.Member.Id != leaving && !healthy.Contains(p)).Select(p => p.Member.IsStarted ? p.Member.Name : p.Member.Id.ToString());
            throw Refuse($"{doing} {Checkpoint.MemberName} now would leave {healthy.Count} healthy voting member(s), below the quorum of {quorum} ({string.Join(", ", down)} down)");
        }
    }

    public async Task<ulong> LeaderIndexAsync(CancellationToken cancellationToken)
    {
        var status = await Run.Client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        var same = status.Reachable.Where(s => s.Header?.ClusterId == Checkpoint.ClusterId).ToList();
        return same.FirstOrDefault(s => s.IsLeader)?.RaftIndex ?? same.Select(s => s.RaftIndex).DefaultIfEmpty(0UL).Max();
    }

    public async Task<string?> HashMismatchAsync(MemberId newId, CancellationToken cancellationToken)
    {
        var probed = await ProbeAsync(checkHealth: true, cancellationToken).ConfigureAwait(false);
        var candidates = probed.Probes.Where(p => p.IsSameMember(probed.ClusterId) && !p.Member.IsLearner && (p.Member.Id == newId || p.IsHealthy == true)).ToList();
        if (candidates.All(c => c.Member.Id != newId))
        {
            return "the new member does not answer for the cluster yet";
        }

        var hashing = await Run.Checker.HashAsync(candidates, cancellationToken).ConfigureAwait(false);
        if (!hashing.Results.TryGetValue(newId, out var own))
        {
            return $"the new member could not be hashed yet ({(hashing.Errors.TryGetValue(newId, out var e) ? e.ErrorCode : EtcdErrorCode.Unknown)})";
        }

        var different = hashing.Results.Values.Where(r => r.CompactRevision != own.CompactRevision || r.Hash != own.Hash).ToList();
        return different.Count == 0 && hashing.Results.Count >= 2 ? null : $"its hash {own.Hash} at revision {hashing.Revision} is not yet everyone's";
    }

    public IReadOnlyList<EtcdEndpoint> MemberEndpoints(MemberReplacementCheckpoint checkpoint) =>
        [.. checkpoint.ClientUrls.Select(u => EtcdEndpoint.TryParse(u, Run.UseTls, out var e, out _) ? e : null).OfType<EtcdEndpoint>()];

    /// <summary>What the endpoint answered, or <see langword="null"/> when it refuses connections (nothing listens).</summary>
    public async Task<string?> AnswersAsync(EtcdEndpoint endpoint, CancellationToken cancellationToken)
    {
        try
        {
            var status = await Run.Client.GetStatusAsync(endpoint, cancellationToken).ConfigureAwait(false);
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

    public async Task<string?> EndpointsAnsweringAsync(IReadOnlyList<EtcdEndpoint> endpoints, CancellationToken cancellationToken)
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

    public static EtcdMember? FindOurs(EtcdMemberList list, MemberReplacementCheckpoint checkpoint)
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

    public static string? FindArchive(string dataDirectory, DateTimeOffset since)
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

    public MemberId RequireNewId(MemberReplacementCheckpoint checkpoint) =>
        checkpoint.NewMemberId ?? throw Refuse("the journal has no new member ID although the member was added (the journal was edited?)");

    /// <summary>
    /// Sends a member change; retries while etcd refuses it as "unhealthy cluster" (and the given codes) or the call failed
    /// in a way that leaves its outcome unknown, each time checking first whether it took effect. Never retries blindly.
    /// </summary>
    public async Task ChangeMemberAsync<T>(
        MemberReplacementStep step, string what, TimeSpan timeout, Func<Task<T>> call, Func<CancellationToken, Task<bool>> isDone,
        EtcdErrorCode[] meansDone, EtcdErrorCode[] retryAlsoOn, CancellationToken cancellationToken)
    {
        var started = Run.TimeProvider.GetTimestamp();
        var delay = Run.Options.PollInterval;
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
                if (Run.TimeProvider.GetElapsedTime(started) >= timeout)
                {
                    throw Refuse($"{what} was still refused after {EtcdErrors.Format(timeout)}: {ex.Message}", ex);
                }
            }

            OperationsLog.ReplacementRetrying(Run.Logger, OperationId, what, reason, delay);
            Report(step, MemberReplacementProgressKind.Waiting, $"{what} refused ({reason}); trying again in {EtcdErrors.Format(delay)}");
            await Task.Delay(delay, Run.TimeProvider, cancellationToken).ConfigureAwait(false);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, Run.Options.MaxRetryDelay.Ticks));
        }
    }

    /// <summary>Polls <paramref name="check"/> (it returns why not yet, or <see langword="null"/> when done) until it holds or the timeout passes.</summary>
    public Task WaitUntilAsync(MemberReplacementStep step, TimeSpan timeout, Func<CancellationToken, Task<string?>> check, CancellationToken cancellationToken) =>
        ConditionWait.UntilAsync(check, timeout, Run.Options.PollInterval, Run.TimeProvider, TimedOut(step, timeout), Waiting(step), cancellationToken);

    /// <summary>The refusal when a step's wait runs out, given why it was still waiting.</summary>
    public Func<string, Exception> TimedOut(MemberReplacementStep step, TimeSpan timeout) =>
        reason => Refuse($"{ReplacementSteps.Label(step)} did not finish within {EtcdErrors.Format(timeout)}: {reason}");

    /// <summary>Reports a step's reason to wait as progress.</summary>
    public Action<string> Waiting(MemberReplacementStep step) =>
        reason => Report(step, MemberReplacementProgressKind.Waiting, $"waiting: {reason}");

    public static async Task<string?> HashFileAsync(string path, CancellationToken cancellationToken)
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

    /// <summary>What a step did: the journal after it, whether it found the work done, and a note for progress.</summary>
    internal sealed record StepOutcome(MemberReplacementCheckpoint Checkpoint, bool AlreadyDone, string Note);

    private sealed record RunServices(
        IEtcdMaintenanceClient Client, IEtcdMemberHost Host, MemberReplacementOptions Options, ILogger Logger, TimeProvider TimeProvider,
        ConsistencyChecker Checker, bool UseTls, string JournalPath, Action<MemberReplacementStep, MemberReplacementProgressKind, string> Report);
}
