using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>What the member's manifest says, as far as a replacement needs it.</summary>
internal sealed record ManifestFacts(
    string Path, string? Name, IReadOnlyList<string>? AdvertisePeerUrls, IReadOnlyList<string>? AdvertiseClientUrls, string? DataDirectory, string? ConfigFile)
{
    public static ManifestFacts From(EtcdFlagFile manifest, string path) => new(
        path,
        manifest.GetName(),
        manifest.GetUrls(EtcdUrlKind.InitialAdvertisePeerUrls),
        manifest.GetUrls(EtcdUrlKind.AdvertiseClientUrls),
        manifest.GetDataDir(),
        manifest.GetFlag("config-file"));
}

/// <summary>An open journal found in the journal directory.</summary>
internal sealed record OpenJournal(string Path, string? MemberName, string? Error);

/// <summary>Everything the plan is judged on, gathered once; the planner itself does no I/O.</summary>
internal sealed record ReplacementFacts(
    ClusterObservation Observation,
    ManifestFacts Manifest,
    IReadOnlyList<OpenJournal> OpenJournals,
    IReadOnlyList<EtcdEndpoint> ConfiguredEndpoints,
    string HostName,
    HostCommands Commands,
    string SnapshotDirectory,
    MemberBinaryCheck? Binary = null);

/// <summary>The shell equivalents of a host's actions, for plans.</summary>
internal sealed record HostCommands(string Stop, string Start)
{
    public static HostCommands For(IEtcdMemberHost host) => host switch
    {
        KubeletStaticPodHost kubelet => new HostCommands(
            $"mkdir -p {Path.GetDirectoryName(kubelet.ParkedManifestPath)} && mv {kubelet.ManifestPath} {kubelet.ParkedManifestPath}   # or: systemctl stop kubelet && crictl stop $(crictl ps --name '^etcd$' -q)",
            $"mv {kubelet.ParkedManifestPath} {kubelet.ManifestPath}   # or: systemctl start kubelet"),
        SshEtcdMemberHost ssh => new HostCommands(
            $"ssh {ssh.Name} 'mkdir -p {Path.GetDirectoryName(ssh.ParkedManifestPath)} && mv {ssh.ManifestPath} {ssh.ParkedManifestPath}'",
            $"ssh {ssh.Name} 'mv {ssh.ParkedManifestPath} {ssh.ManifestPath}'"),
        SshSystemdMemberHost ssh => new HostCommands($"ssh {ssh.Name} \"{ssh.Strategy.Command("stop")}\"", $"ssh {ssh.Name} \"{ssh.Strategy.Command("start")}\""),
        LocalSystemdMemberHost local => new HostCommands(local.Strategy.Command("stop"), local.Strategy.Command("start")),
        LocalProcessEtcdHost local => new HostCommands(
            $"kill -TERM $(cat {local.PidFile})   # and wait until it exits",
            $"run the etcd command line in {local.ManifestPath} in the background; echo $! > {local.PidFile}"),
        _ => new HostCommands($"stop etcd on {host.Name}", $"start etcd on {host.Name} from {host.ManifestPath}"),
    };
}

/// <summary>Judges the preconditions and lays out the steps of a replacement; pure.</summary>
internal static class MemberReplacementPlanner
{
    private const string OperationName = "MemberReplacement";

    /// <summary>Finds the member to replace: by name, else an unstarted member with the given peer URLs.</summary>
    /// <exception cref="EtcdSafetyCheckException">No such member.</exception>
    public static EtcdMember FindTarget(EtcdMemberList list, string name, IReadOnlyList<string>? peerUrls)
    {
        if (list.FindByName(name) is { } byName)
        {
            return byName;
        }

        if (peerUrls is not null && list.Members.FirstOrDefault(m => !m.IsStarted && SamePeerUrls(m.PeerUrls, peerUrls)) is { } unstarted)
        {
            return unstarted;
        }

        var names = string.Join(", ", list.Members.Select(m => m.IsStarted ? m.Name : $"{m.Id} (not started)"));
        throw new EtcdSafetyCheckException(
            $"{OperationName} refused: no member is named '{name}' (the members are: {names}). Nothing was changed. Check the name with 'etcdctl member list'.",
            null, OperationName);
    }

    /// <summary>Builds the plan: preconditions (each passed or not, with details) and the steps with their etcdctl equivalents.</summary>
    public static MemberReplacementPlan Plan(MemberReplacementRequest request, ReplacementFacts facts, MemberReplacementOptions options)
    {
        var report = facts.Observation.Report;
        var list = facts.Observation.MemberList;
        var target = FindTarget(list, request.MemberName, request.PeerUrls);
        var peerUrls = request.PeerUrls is { Count: > 0 } given ? given : target.PeerUrls;
        var manifest = facts.Manifest;
        var clientUrls = manifest.AdvertiseClientUrls is { Count: > 0 } advertised ? advertised : target.ClientUrls;
        var dataDirectory = request.DataDirectory ?? manifest.DataDirectory;
        var checks = new List<MemberReplacementPrecondition>();
        void Check(string name, bool passed, string detail) => checks.Add(new MemberReplacementPrecondition
        {
            Name = name,
            Passed = passed,
            Detail = detail,
        });

        var voters = list.Members.Where(m => !m.IsLearner).ToList();
        var quorum = (voters.Count / 2) + 1;
        var others = report.Members.Where(m => m.Id != target.Id).ToList();
        var healthyOtherVoters = others.Where(m => !m.IsLearner && m.IsStarted && m.Status is not null && m.IsHealthy == true).ToList();
        var targetView = report.Find(target.Id);

        Check("Member identified", true,
            $"{request.MemberName} is member {target.Id} with peer URLs {string.Join(",", target.PeerUrls)}" +
            (target.IsStarted ? string.Empty : " (added but never started)") + (targetView?.IsSuspect == true ? $"; suspect: {string.Join("; ", targetView.Findings.Select(f => f.Issue))}" : string.Empty));

        var manifestProblems = new List<string>();
        if (manifest.Name != request.MemberName)
        {
            manifestProblems.Add($"its --name is '{manifest.Name ?? "(none)"}', not '{request.MemberName}': it is not this member's manifest");
        }

        if (manifest.ConfigFile is not null)
        {
            manifestProblems.Add($"it passes --config-file={manifest.ConfigFile}, so etcd would ignore the flags the replacement sets; replace the member by hand or move its settings to flags");
        }

        Check("Manifest is the member's", manifestProblems.Count == 0,
            manifestProblems.Count == 0 ? $"{manifest.Path} runs {request.MemberName}" : $"{manifest.Path}: {string.Join("; ", manifestProblems)}. Nothing was changed.");

        var advertisedPeers = manifest.AdvertisePeerUrls;
        var peersMatch = advertisedPeers is not null && SamePeerUrls(advertisedPeers, peerUrls);
        Check("Peer URLs match the manifest", peersMatch, peersMatch
            ? $"the member is added back with {string.Join(",", peerUrls)}, as its manifest advertises" + (SamePeerUrls(peerUrls, target.PeerUrls) ? string.Empty : $" (it had {string.Join(",", target.PeerUrls)})")
            : $"the member would be added with {string.Join(",", peerUrls)} but its manifest advertises {(advertisedPeers is null ? "none (--initial-advertise-peer-urls is missing)" : string.Join(",", advertisedPeers))}: etcd would refuse to start. Give the peer URLs the manifest advertises. Nothing was changed.");

        var dataDirOk = dataDirectory is not null && (request.DataDirectory is null || manifest.DataDirectory is null || SamePath(request.DataDirectory, manifest.DataDirectory));
        Check("Data dir known", dataDirOk, dataDirOk
            ? $"{dataDirectory} will be moved aside (renamed, never deleted)"
            : dataDirectory is null
                ? $"{manifest.Path} has no --data-dir and none was given: give the member's data dir. Nothing was changed."
                : $"the data dir given ({request.DataDirectory}) is not the manifest's --data-dir ({manifest.DataDirectory}): moving the wrong directory aside would leave the old data in place. Nothing was changed.");

        var down = others.Where(m => !m.IsLearner && !(m.IsStarted && m.Status is not null && m.IsHealthy == true)).ToList();
        Check("No other member is down", down.Count == 0, down.Count == 0
            ? $"the {others.Count(m => !m.IsLearner)} other voting member(s) answer for cluster {report.ClusterIdHex} and serve reads"
            : $"{string.Join("; ", down.Select(m => $"{m.Name}: {string.Join(", ", m.Findings.Select(f => f.Message))}"))}. Replacing {request.MemberName} now would leave the cluster without a spare: bring the other member(s) back first. Nothing was changed.");

        Check("Quorum holds without the member", healthyOtherVoters.Count >= quorum,
            $"{healthyOtherVoters.Count} healthy voting member(s) besides {request.MemberName}; quorum of {voters.Count} is {quorum}" +
            (healthyOtherVoters.Count >= quorum ? string.Empty : ": stopping it would stop the cluster. Nothing was changed."));

        var busy = new List<string>();
        busy.AddRange(list.Members.Where(m => m.IsLearner).Select(m => $"{(m.IsStarted ? m.Name : m.Id.ToString())} is a learner (etcd allows one at a time; finish its promotion or remove it)"));
        busy.AddRange(list.Members.Where(m => !m.IsStarted && m.Id != target.Id && !m.IsLearner).Select(m => $"{m.Id} was added but never started (start or remove it)"));
        busy.AddRange(facts.OpenJournals.Select(j => j.Error is not null
            ? $"{j.Path} cannot be read ({j.Error}); move it aside if it is not an open operation"
            : j.MemberName == request.MemberName
                ? $"a replacement of {j.MemberName} is already journaled open at {j.Path}: resume it with MemberReplacementCoordinator.ResumeAsync(\"{j.Path}\", host)"
                : $"a replacement of {j.MemberName} is journaled open at {j.Path}: finish it first (resume it), one member at a time"));
        Check("No other change in progress", busy.Count == 0, busy.Count == 0 ? "no learner, no member waiting to start, no open journal for this cluster" : string.Join("; ", busy) + ". Nothing was changed.");

        var otherHashes = healthyOtherVoters.Select(m => m.Hash).Distinct().ToList();
        var goodElsewhere = healthyOtherVoters.Count >= quorum && otherHashes.Count == 1 && otherHashes[0] is not null;
        string goodDetail;
        if (goodElsewhere)
        {
            goodDetail = $"{healthyOtherVoters.Count} other voting member(s) agree on hash {otherHashes[0]} at revision {report.HashRevision}" +
                (targetView?.Hash is { } own ? own == otherHashes[0] ? $"; {request.MemberName} has the same hash (its data is consistent: replacing it anyway)" : $"; {request.MemberName} has {own}" : string.Empty);
        }
        else
        {
            goodDetail = otherHashes.Count > 1
                ? $"the other voting members disagree ({string.Join(", ", healthyOtherVoters.Select(m => $"{m.Name}: {m.Hash}"))}) at revision {report.HashRevision}: {request.MemberName} may hold the only good copy. Compare the keys by hand before replacing anything. Nothing was changed."
                : $"too few other voting members could be hashed ({healthyOtherVoters.Count(m => m.Hash is not null)} of a quorum of {quorum}) to show that the data survives without {request.MemberName}. Nothing was changed.";
        }

        Check("Good data survives without the member", goodElsewhere, goodDetail);

        var configuredOthers = facts.ConfiguredEndpoints.Where(e => healthyOtherVoters.Any(m => m.Endpoint is not null && EtcdEndpoint.TryParse(m.Endpoint, e.UsesTls, out var p, out _) && p.Equals(e))).ToList();
        Check("Endpoints reach the other members", configuredOthers.Count > 0, configuredOthers.Count > 0
            ? $"cluster-wide calls go through {string.Join(",", configuredOthers.Select(e => e.Text))} while {request.MemberName} is stopped"
            : $"no configured endpoint is a healthy member other than {request.MemberName}: give the other members' client URLs too (--endpoints). Nothing was changed.");

        var corrupt = report.Alarms.Where(a => a.Type == EtcdAlarmType.Corrupt && a.MemberId != target.Id).ToList();
        Check("No CORRUPT alarm on another member", corrupt.Count == 0, corrupt.Count == 0
            ? "none"
            : $"etcd raised CORRUPT for {string.Join(", ", corrupt.Select(a => a.MemberId))}: another member's data is in doubt. Check consistency first. Nothing was changed.");

        if (facts.Binary is { } binary)
        {
            Check(MemberBinaryCheck.Name, binary.Passed, binary.Detail);
        }

        var snapshotSource = healthyOtherVoters.OrderBy(m => m.Status!.IsLeader).ThenByDescending(m => m.Status!.RaftAppliedIndex).FirstOrDefault();
        var moveTo = targetView?.Status is { IsLeader: true }
            ? healthyOtherVoters.OrderByDescending(m => m.Status!.RaftAppliedIndex).FirstOrDefault()
            : null;

        string? initialCluster = null;
        try
        {
            initialCluster = RebuildInitialCluster(list.Members.Where(m => m.Id != target.Id).ToList(), request.MemberName, peerUrls, null).ToString();
        }
        catch (InvalidOperationException ex)
        {
            Check("Initial cluster can be rebuilt", false, ex.Message + " Nothing was changed.");
        }
        catch (ArgumentException ex)
        {
            Check("Initial cluster can be rebuilt", false, ex.Message + " Nothing was changed.");
        }

        var outline = new ReplacementOutline
        {
            MemberName = request.MemberName,
            MemberId = target.Id,
            HostName = facts.HostName,
            Commands = facts.Commands,
            PeerUrls = peerUrls,
            ClientUrls = clientUrls,
            AsLearner = request.AsLearner,
            DataDirectory = dataDirectory,
            ManifestPath = manifest.Path,
            InitialCluster = initialCluster,
            SnapshotSourceName = snapshotSource?.Name,
            SnapshotSourceEndpoint = snapshotSource?.Endpoint,
            MoveLeaderToName = moveTo?.Name,
            MoveLeaderToId = moveTo?.Id,
            TargetEndpoint = targetView?.Endpoint,
            OthersEndpoints = string.Join(',', healthyOtherVoters.Where(m => m.Endpoint is not null).Select(m => m.Endpoint)),
            AllEndpoints = string.Join(',', healthyOtherVoters.Where(m => m.Endpoint is not null).Select(m => m.Endpoint).Concat(clientUrls.Take(1))),
            SnapshotPath = Path.Combine(facts.SnapshotDirectory, "<operation-id>.snapshot.db"),
            CatchUpMaxLag = options.CatchUpMaxLag,
            PromoteTimeout = options.PromoteTimeout,
        };
        var context = ReplacementContext.ForPlan(outline);
        var steps = ReplacementSteps.All.Select((step, index) => step.Describe(context, index + 1)).ToList();

        return new MemberReplacementPlan
        {
            MemberName = request.MemberName,
            MemberId = target.Id,
            ClusterId = report.ClusterId,
            CurrentPeerUrls = target.PeerUrls,
            PeerUrls = peerUrls,
            ClientUrls = clientUrls,
            AsLearner = request.AsLearner,
            DataDirectory = dataDirectory ?? string.Empty,
            ManifestPath = manifest.Path,
            HostName = facts.HostName,
            MoveLeaderTo = moveTo?.Id,
            SnapshotSource = snapshotSource?.Name,
            InitialCluster = initialCluster,
            Preconditions = checks,
            Steps = steps,
            StepIds = [.. ReplacementSteps.All.Select(s => s.Id)],
            Consistency = report,
        };
    }

    /// <summary>
    /// The <c>--initial-cluster</c> a rejoining member needs: every member in <paramref name="members"/> (the live list,
    /// without the old member) under its name, and this member once, under <paramref name="name"/>. A member that has not
    /// started has no name yet: it must be this one (its ID is <paramref name="newId"/>, or its peer URLs are ours).
    /// Extra entries make etcd fail with "member count is unequal".
    /// </summary>
    /// <exception cref="InvalidOperationException">Another member has not started, or has this member's name.</exception>
    public static InitialCluster RebuildInitialCluster(IReadOnlyList<EtcdMember> members, string name, IReadOnlyList<string> peerUrls, MemberId? newId)
    {
        var entries = new List<InitialClusterMember>();
        var ours = false;
        foreach (var member in members)
        {
            var isOurs = (newId is { } id && member.Id == id) || (newId is null && SamePeerUrls(member.PeerUrls, peerUrls));
            if (isOurs)
            {
                if (!ours)
                {
                    entries.Add(new InitialClusterMember(name, peerUrls));
                    ours = true;
                }

                continue;
            }

            if (!member.IsStarted)
            {
                throw new InvalidOperationException(
                    $"member {member.Id} (peer URLs {string.Join(",", member.PeerUrls)}) was added but has not started, so its name for --initial-cluster is unknown; start or remove it first.");
            }

            if (member.Name == name)
            {
                throw new InvalidOperationException($"member {member.Id} is already named '{name}': two members cannot share a name in --initial-cluster.");
            }

            entries.Add(new InitialClusterMember(member.Name, member.PeerUrls));
        }

        if (!ours)
        {
            entries.Add(new InitialClusterMember(name, peerUrls));
        }

        return new InitialCluster(entries);
    }

    /// <summary>Whether two peer URL lists name the same URLs (order, case of scheme and host, and a trailing slash aside).</summary>
    public static bool SamePeerUrls(IReadOnlyList<string> a, IReadOnlyList<string> b) =>
        a.Select(Normalize).ToHashSet(StringComparer.Ordinal).SetEquals(b.Select(Normalize));

    private static string Normalize(string url) =>
        Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority).ToLowerInvariant() : url.Trim().TrimEnd('/').ToLowerInvariant();

    private static bool SamePath(string a, string b) =>
        string.Equals(Path.TrimEndingDirectorySeparator(Path.GetFullPath(a)), Path.TrimEndingDirectorySeparator(Path.GetFullPath(b)),
            OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
}
