using EtcdMaintenance.Hosting;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Operations;

/// <summary>
/// Whether the etcd binary a host would start is at least the cluster's version: etcd refuses to downgrade a cluster, so
/// an older binary started in place of a member never joins (a 3.4 binary exits on a 3.5 cluster's data or peers).
/// </summary>
/// <param name="Passed">Whether the binary may be started (also when its version cannot be known on this host).</param>
/// <param name="Detail">The versions compared, or why the binary's version is unknown.</param>
internal sealed record MemberBinaryCheck(bool Passed, string Detail)
{
    /// <summary>The precondition's name in plans.</summary>
    public const string Name = "etcd binary not older than the cluster";

    /// <summary>
    /// The cluster's version: the lowest major.minor among the members' server versions (a cluster runs at the version its
    /// oldest member supports), or <see langword="null"/> when no member reported one.
    /// </summary>
    public static Version? ClusterVersion(IEnumerable<EndpointStatus?> statuses) =>
        statuses.Select(s => s is not null && EtcdBinaryVersion.TryParse(s.Version, out var v) ? new Version(v.Major, v.Minor) : null)
            .OfType<Version>().DefaultIfEmpty().Min();

    /// <summary>Compares the binary <paramref name="host"/> starts for <paramref name="manifest"/> with <paramref name="clusterVersion"/>.</summary>
    /// <param name="host">The member's host.</param>
    /// <param name="manifest">The member's manifest.</param>
    /// <param name="clusterVersion">The cluster's version (<see cref="ClusterVersion"/>).</param>
    /// <param name="member">The member, for the message.</param>
    /// <param name="cancellationToken">Cancels running <c>etcd --version</c>.</param>
    public static async Task<MemberBinaryCheck> CheckAsync(IEtcdMemberHost host, EtcdFlagFile manifest, Version? clusterVersion, string member, CancellationToken cancellationToken)
    {
        if (host is not LocalProcessEtcdHost local || manifest is not EtcdManifest podManifest)
        {
            return new MemberBinaryCheck(true, $"not checked: the version of the etcd {host.Name} starts is not known to the library (container image or remote binary); make sure it is at least the cluster's {clusterVersion?.ToString() ?? "version"}");
        }

        string binary;
        Version version;
        try
        {
            binary = local.ResolveBinary(podManifest);
            version = await EtcdBinaryVersion.ReadAsync(binary, cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidOperationException ex)
        {
            return new MemberBinaryCheck(false, $"the etcd binary for {member} on {host.Name} cannot be checked: {ex.Message} Nothing was changed.");
        }

        if (clusterVersion is null)
        {
            return new MemberBinaryCheck(true, $"{binary} is etcd {version}; no member reported the cluster's version");
        }

        return new Version(version.Major, version.Minor) < clusterVersion
            ? new MemberBinaryCheck(false, $"{binary} on {host.Name} is etcd {version}, older than the cluster's version {clusterVersion}: etcd does not downgrade a cluster, so {member} would not rejoin. Give {member} an etcd binary of version {clusterVersion} or later. Nothing was changed.")
            : new MemberBinaryCheck(true, $"{binary} is etcd {version}; the cluster runs {clusterVersion}");
    }
}
