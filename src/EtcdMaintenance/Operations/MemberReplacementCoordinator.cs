using EtcdMaintenance.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Replaces one member whose data went bad, the way the field does it by hand, made safe: a verified snapshot first,
/// leadership moved away, the member stopped, removed, its data dir moved aside (never deleted), added back (as a learner
/// by default), its manifest patched to join the existing cluster, started, caught up, promoted and verified.
/// <see cref="PlanAsync"/> is the dry run; <see cref="StartAsync"/> checks the preconditions and returns the running
/// operation; <see cref="ResumeAsync"/> continues one from its journal in any process.
/// </summary>
/// <remarks>
/// It cannot leave the cluster worse than it found it: it removes no member but the one named, never proceeds without
/// quorum, replaces one member at a time (an open journal for the cluster blocks another replacement), and stops at the
/// first failed check with an error that says how to continue or roll back. The client should have every member's
/// endpoint (at least one besides the member being replaced).
/// </remarks>
public sealed class MemberReplacementCoordinator
{
    private const string OperationName = "MemberReplacement";

    private readonly IEtcdMaintenanceClient _client;
    private readonly MemberReplacementOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;

    /// <summary>Creates a coordinator for the cluster <paramref name="client"/> talks to.</summary>
    /// <exception cref="ArgumentException">An option is out of range.</exception>
    public MemberReplacementCoordinator(IEtcdMaintenanceClient client, MemberReplacementOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        _options = options ?? new MemberReplacementOptions();
        _options.Validate();
        _logger = logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// The dry run: checks every precondition (each reported as passed or not, with the values seen) and lists the steps
    /// with their etcdctl and shell equivalents. Changes nothing.
    /// </summary>
    /// <exception cref="EtcdSafetyCheckException">The cluster cannot be read (no endpoint answers, quorum lost) or no member has that name.</exception>
    public async Task<MemberReplacementPlan> PlanAsync(MemberReplacementRequest request, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var checker = new ConsistencyChecker(_client, _options.Consistency, _logger, _timeProvider);
        var observation = await checker.ObserveAsync(cancellationToken).ConfigureAwait(false);
        MemberReplacementPlanner.FindTarget(observation.MemberList, request.MemberName, request.PeerUrls);
        var manifest = await request.Host.LoadManifestAsync(cancellationToken).ConfigureAwait(false);
        var open = await MemberReplacementJournal.FindOpenAsync(_options.JournalDirectory, observation.Report.ClusterId, cancellationToken).ConfigureAwait(false);
        var facts = new ReplacementFacts(
            observation,
            ManifestFacts.From(manifest, request.Host.ManifestPath),
            [.. open.Select(o => new OpenJournal(o.Path, o.Checkpoint?.MemberName, o.Error))],
            _client.Endpoints,
            request.Host.Name,
            HostCommands.For(request.Host),
            Path.GetFullPath(_options.EffectiveSnapshotDirectory),
            await MemberBinaryCheck.CheckAsync(request.Host, manifest, MemberBinaryCheck.ClusterVersion(observation.Report.Members.Select(m => m.Status)), request.MemberName, cancellationToken).ConfigureAwait(false));
        return MemberReplacementPlanner.Plan(request, facts, _options);
    }

    /// <summary>
    /// Checks the preconditions and, when they all hold, writes the operation's journal and returns the operation (no step
    /// has run yet: run it with <see cref="EtcdOperation{TResult, TProgress}.WaitForCompletionAsync"/> or step by step).
    /// </summary>
    /// <param name="request">The member and its host.</param>
    /// <param name="progress">Receives every progress event synchronously, from the thread running the step.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="EtcdSafetyCheckException">A precondition does not hold; the message names it and says what to do. Nothing was changed.</exception>
    /// <exception cref="EtcdClusterMismatchException">The configured endpoints answer for more than one cluster; nothing was changed.</exception>
    public async Task<MemberReplacementOperation> StartAsync(MemberReplacementRequest request, IProgress<MemberReplacementProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        Validate(request);
        var directory = Path.GetFullPath(_options.JournalDirectory);
        MemberReplacementJournal.EnsureDirectory(directory);

        // One start at a time per journal directory: the open-journal check and the new journal are one step.
        FileStream startLock;
        try
        {
            var lockOptions = new FileStreamOptions { Mode = FileMode.OpenOrCreate, Access = FileAccess.ReadWrite, Share = FileShare.None };
            if (!OperatingSystem.IsWindows())
            {
                lockOptions.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            }

            startLock = new FileStream(Path.Combine(directory, ".member-replacement.lock"), lockOptions);
        }
        catch (IOException ex)
        {
            throw new EtcdSafetyCheckException($"{OperationName} refused: another replacement is starting right now in {directory} ({ex.Message}). Nothing was changed.", null, OperationName);
        }

        await using (startLock.ConfigureAwait(false))
        {
            var plan = await PlanAsync(request, cancellationToken).ConfigureAwait(false);
            ClusterIdentity.Ensure(await _client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false), OperationName, exempt: Endpoints(plan.ClientUrls));
            if (plan.FirstFailure is { } failed)
            {
                throw new EtcdSafetyCheckException($"{OperationName} of {request.MemberName} refused: {failed.Name}: {failed.Detail}", null, OperationName);
            }

            var now = _timeProvider.GetUtcNow();
            var operationId = MemberReplacementJournal.NewOperationId(request.MemberName, _timeProvider);
            var checkpoint = new MemberReplacementCheckpoint
            {
                OperationId = operationId,
                ClusterId = plan.ClusterId,
                MemberName = request.MemberName,
                OldMemberId = plan.MemberId,
                OldPeerUrls = plan.CurrentPeerUrls,
                PeerUrls = plan.PeerUrls,
                ClientUrls = plan.ClientUrls,
                AsLearner = request.AsLearner,
                VoterCount = plan.Consistency.Members.Count(m => !m.IsLearner),
                HostName = request.Host.Name,
                ManifestPath = request.Host.ManifestPath,
                RunMode = MemberHostRunMode.Of(request.Host),
                DataDirectory = Path.GetFullPath(plan.DataDirectory),
                NextStep = MemberReplacementStep.Snapshot,
                CreatedAt = now,
                UpdatedAt = now,
            };
            var path = MemberReplacementJournal.PathFor(directory, operationId);
            await MemberReplacementJournal.WriteAsync(path, checkpoint, cancellationToken).ConfigureAwait(false);
            OperationsLog.ReplacementStarted(_logger, operationId, request.MemberName, plan.MemberId, path);

            return new MemberReplacementRun(_client, request.Host, _options, _logger, _timeProvider, progress, path, checkpoint);
        }
    }

    /// <summary>
    /// Continues an operation from its journal, in this process or any other: the next step first checks whether its work
    /// was already done (the member already removed, already added with the same peer URLs...). A completed journal gives a
    /// completed operation.
    /// </summary>
    /// <param name="journalPath">The journal (<see cref="MemberReplacementOperation.JournalPath"/>, or the path an error named).</param>
    /// <param name="host">The member's host; it must be for the manifest the journal names.</param>
    /// <param name="progress">Receives every progress event synchronously, from the thread running the step.</param>
    /// <param name="cancellationToken">Cancels the checks.</param>
    /// <exception cref="InvalidDataException">The file is not a journal, or is of another version.</exception>
    /// <exception cref="EtcdSafetyCheckException">The journal is for another cluster ID or another host; nothing was changed.</exception>
    /// <exception cref="EtcdClusterMismatchException">The configured endpoints answer for more than one cluster; nothing was changed.</exception>
    public async Task<MemberReplacementOperation> ResumeAsync(string journalPath, IEtcdMemberHost host, IProgress<MemberReplacementProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(journalPath);
        ArgumentNullException.ThrowIfNull(host);
        var path = Path.GetFullPath(journalPath);
        var checkpoint = await MemberReplacementJournal.ReadAsync(path, cancellationToken).ConfigureAwait(false);
        if (!SamePath(host.ManifestPath, checkpoint.ManifestPath))
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} {checkpoint.OperationId}: the journal is for the member whose manifest is {checkpoint.ManifestPath} on {checkpoint.HostName}, but the host given manages {host.ManifestPath}. Nothing was changed.",
                null, OperationName);
        }

        if (checkpoint.RunMode is { } runMode && (runMode != MemberHostRunMode.Of(host) || checkpoint.HostName != host.Name))
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} {checkpoint.OperationId}: the journal is for the member run as {runMode} on {checkpoint.HostName}, but the host given runs it as {MemberHostRunMode.Of(host)} on {host.Name}. Nothing was changed; give a host for node {checkpoint.HostName}.",
                null, OperationName);
        }

        var configured = await _client.GetClusterStatusAsync(cancellationToken).ConfigureAwait(false);
        var clusterId = ClusterIdentity.Ensure(configured, OperationName, exempt: Endpoints(checkpoint.ClientUrls));
        if (clusterId != checkpoint.ClusterId)
        {
            throw new EtcdSafetyCheckException(
                $"{OperationName} {checkpoint.OperationId}: the journal is for cluster {checkpoint.ClusterIdHex}, but the endpoints answer for cluster {clusterId:x}. Nothing was changed; give the endpoints of the cluster the journal was written for.",
                null, OperationName);
        }

        return new MemberReplacementRun(_client, host, _options, _logger, _timeProvider, progress, path, checkpoint);
    }

    /// <summary>Reads an operation's journal (to show where it stands, or to find its manifest before resuming).</summary>
    /// <exception cref="InvalidDataException">The file is not a journal, or is of another version.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static Task<MemberReplacementCheckpoint> ReadJournalAsync(string journalPath, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(journalPath);
        return MemberReplacementJournal.ReadAsync(Path.GetFullPath(journalPath), cancellationToken);
    }

    private static void Validate(MemberReplacementRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentException.ThrowIfNullOrWhiteSpace(request.MemberName, nameof(request));
        ArgumentNullException.ThrowIfNull(request.Host, nameof(request));
        if (request.PeerUrls is { } urls)
        {
            if (urls.Count == 0 || urls.Any(u => Manifests.EtcdUrls.Check(u) is not null))
            {
                throw new ArgumentException($"Peer URLs must be one or more http(s)://host:port URLs; got '{string.Join(",", urls)}'.", nameof(request));
            }
        }
    }

    /// <summary>The replaced member's own endpoints: it may answer for another cluster (its data is why it is replaced).</summary>
    private List<EtcdEndpoint> Endpoints(IReadOnlyList<string> clientUrls)
    {
        var useTls = _client.Endpoints.Any(e => e.UsesTls);
        return [.. clientUrls.Select(u => EtcdEndpoint.TryParse(u, useTls, out var e, out _) ? e : null).OfType<EtcdEndpoint>()];
    }

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.GetFullPath(a), Path.GetFullPath(b), OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
