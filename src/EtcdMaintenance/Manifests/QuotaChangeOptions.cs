namespace EtcdMaintenance.Manifests;

/// <summary>Safety checks and advice for <see cref="EtcdFlagFile.SetQuotaBackendBytes"/>.</summary>
public sealed class QuotaChangeOptions
{
    /// <summary>
    /// The assumed defragment throughput: bytes of database rewritten per second (<see cref="DefragmentBytesPerSecond"/>'s default).
    /// Deliberately slow, to cover busy disks; measure your own from a defragment's duration and database size.
    /// </summary>
    public const long DefaultDefragmentBytesPerSecond = 32L * 1024 * 1024;

    /// <summary>
    /// The largest current database size of the members (<see cref="EndpointStatus.DbSize"/>, the physical file size etcd
    /// judges the quota by). A quota at or below it is refused: etcd would raise NOSPACE at once.
    /// </summary>
    /// <value><see langword="null"/> by default: not checked.</value>
    public long? CurrentDatabaseSize { get; set; }

    /// <summary>
    /// Allows a quota above etcd's suggested maximum of 8 GiB (<see cref="QuotaBackendBytes.SuggestedMaximum"/>; a warning
    /// is still returned) or under 1 MiB.
    /// </summary>
    /// <value><see langword="false"/> by default: such a quota is refused.</value>
    public bool Force { get; set; }

    /// <summary>
    /// How fast a member defragments, in bytes per second, for the liveness-probe advice: a defragment of a database as large
    /// as the quota blocks the health checks for about quota / this long.
    /// </summary>
    /// <value><see cref="DefaultDefragmentBytesPerSecond"/> (32 MiB/s).</value>
    public long DefragmentBytesPerSecond { get; set; } = DefaultDefragmentBytesPerSecond;
}
