namespace EtcdMaintenance.Operations;

/// <summary>Where space recovery compacts the history: the current revision (as the field does), or keeping some history.</summary>
public abstract record CompactionTarget
{
    private protected CompactionTarget()
    {
    }

    /// <summary>The current revision: keeps no history (what <c>etcdctl compact $(rev)</c> after <c>endpoint status</c> does).</summary>
    public static CompactionTarget Current { get; } = new CurrentTarget();

    /// <summary>No compaction (defragment only; for clusters that compact themselves with <c>--auto-compaction-*</c>).</summary>
    public static CompactionTarget None { get; } = new NoneTarget();

    /// <summary>Keeps the last <paramref name="revisions"/> revisions (like <c>--auto-compaction-mode=revision</c>).</summary>
    public static CompactionTarget KeepLast(long revisions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revisions);
        return new KeepLastTarget(revisions);
    }

    /// <summary>Compacts at exactly <paramref name="revision"/>.</summary>
    public static CompactionTarget At(long revision)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(revision);
        return new AtTarget(revision);
    }

    /// <summary>
    /// Keeps the history of the last <paramref name="window"/>: compacts at the newest revision observed at least that
    /// long ago. etcd keeps no timestamps, so the caller supplies observations (for example from a status poller).
    /// </summary>
    public static CompactionTarget KeepWindow(TimeSpan window, IReadOnlyList<RevisionObservation> history)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(window, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(history);
        return new KeepWindowTarget(window, history);
    }

    /// <summary>The revision to compact at, or <see langword="null"/> when there is nothing to compact.</summary>
    /// <param name="currentRevision">The cluster's current (highest) revision.</param>
    /// <param name="now">The current time, for <see cref="KeepWindow"/>.</param>
    public abstract long? Resolve(long currentRevision, DateTimeOffset now);

    /// <summary>Describes the choice for plans and reports.</summary>
    public abstract string Describe();

    private sealed record CurrentTarget : CompactionTarget
    {
        public override long? Resolve(long currentRevision, DateTimeOffset now) => currentRevision > 0 ? currentRevision : null;

        public override string Describe() => "the current revision";
    }

    private sealed record NoneTarget : CompactionTarget
    {
        public override long? Resolve(long currentRevision, DateTimeOffset now) => null;

        public override string Describe() => "no compaction";
    }

    private sealed record KeepLastTarget(long Revisions) : CompactionTarget
    {
        public override long? Resolve(long currentRevision, DateTimeOffset now) => currentRevision - Revisions is > 0 and var r ? r : null;

        public override string Describe() => $"the current revision minus {Revisions} (keeping the last {Revisions} revisions)";
    }

    private sealed record AtTarget(long Revision) : CompactionTarget
    {
        public override long? Resolve(long currentRevision, DateTimeOffset now) => Math.Min(Revision, currentRevision);

        public override string Describe() => $"revision {Revision}";
    }

    private sealed record KeepWindowTarget(TimeSpan Window, IReadOnlyList<RevisionObservation> History) : CompactionTarget
    {
        public override long? Resolve(long currentRevision, DateTimeOffset now) =>
            History.Where(o => o.ObservedAt <= now - Window).Select(o => (long?)o.Revision).Max() is { } r && r > 0 ? Math.Min(r, currentRevision) : null;

        public override string Describe() => $"the newest revision observed at least {Window} ago (keeping that window of history)";
    }
}

/// <summary>A revision seen at a point in time (etcd keeps no timestamps; pollers record these).</summary>
/// <param name="ObservedAt">When it was seen.</param>
/// <param name="Revision">The revision.</param>
public readonly record struct RevisionObservation(DateTimeOffset ObservedAt, long Revision);
