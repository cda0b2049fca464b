using System.Globalization;

namespace EtcdMaintenance.Manifests;

/// <summary>How etcd compacts its history by itself (<c>--auto-compaction-mode</c>).</summary>
public enum AutoCompactionMode
{
    /// <summary><c>periodic</c>: keep a window of time.</summary>
    Periodic = 1,

    /// <summary><c>revision</c>: keep a number of revisions.</summary>
    Revision,
}

/// <summary>
/// etcd's automatic compaction: <c>--auto-compaction-mode</c> with <c>--auto-compaction-retention</c>, validated the way
/// etcd reads them. Periodic retention is a Go duration (<c>1h</c>, <c>30m</c>, <c>1h30m</c>) or a whole number of hours;
/// revision retention is a whole number of revisions. A retention of 0 turns automatic compaction off.
/// </summary>
public sealed record AutoCompaction
{
    private AutoCompaction(AutoCompactionMode mode, string retention, TimeSpan? period, long? revisions)
    {
        Mode = mode;
        Retention = retention;
        Period = period;
        Revisions = revisions;
    }

    /// <summary>The mode.</summary>
    public AutoCompactionMode Mode { get; }

    /// <summary>The retention exactly as written to <c>--auto-compaction-retention</c>.</summary>
    public string Retention { get; }

    /// <summary>For <see cref="AutoCompactionMode.Periodic"/>: the window of history kept.</summary>
    public TimeSpan? Period { get; }

    /// <summary>For <see cref="AutoCompactionMode.Revision"/>: the number of revisions kept.</summary>
    public long? Revisions { get; }

    /// <summary>Whether the retention is 0, which turns automatic compaction off.</summary>
    public bool IsDisabled => Period == TimeSpan.Zero || Revisions == 0;

    /// <summary>The mode as etcd spells it: <c>periodic</c> or <c>revision</c>.</summary>
    public string ModeText => Mode == AutoCompactionMode.Periodic ? "periodic" : "revision";

    /// <summary>Keeps <paramref name="retention"/> of history (written as a Go duration, e.g. <c>1h30m</c>).</summary>
    /// <param name="retention">Not negative, whole milliseconds or coarser; zero turns automatic compaction off.</param>
    public static AutoCompaction Periodic(TimeSpan retention)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retention, TimeSpan.Zero);
        if (retention.Ticks % TimeSpan.TicksPerMillisecond != 0)
        {
            throw new ArgumentException("Retention must be a whole number of milliseconds.", nameof(retention));
        }

        return new AutoCompaction(AutoCompactionMode.Periodic, GoDuration.Format(retention), retention, null);
    }

    /// <summary>Keeps the last <paramref name="revisions"/> revisions.</summary>
    /// <param name="revisions">Not negative; zero turns automatic compaction off.</param>
    public static AutoCompaction Revision(long revisions)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(revisions);
        return new AutoCompaction(AutoCompactionMode.Revision, revisions.ToString(CultureInfo.InvariantCulture), null, revisions);
    }

    /// <summary>
    /// Reads the two flags as etcd does. A missing mode means <c>periodic</c> (etcd's default). Throws
    /// <see cref="FormatException"/> for an unknown mode or a retention that does not fit the mode.
    /// </summary>
    /// <param name="mode"><c>periodic</c>, <c>revision</c>, or <see langword="null"/> for etcd's default.</param>
    /// <param name="retention">A Go duration or whole hours for periodic, a whole number for revision.</param>
    public static AutoCompaction Parse(string? mode, string retention)
    {
        ArgumentNullException.ThrowIfNull(retention);
        var parsedMode = mode switch
        {
            null or "periodic" => AutoCompactionMode.Periodic,
            "revision" => AutoCompactionMode.Revision,
            _ => throw new FormatException($"'{mode}' is not an auto-compaction mode: use 'periodic' or 'revision'."),
        };
        if (long.TryParse(retention, NumberStyles.None, CultureInfo.InvariantCulture, out var whole))
        {
            return parsedMode == AutoCompactionMode.Revision
                ? new AutoCompaction(parsedMode, retention, null, whole)
                : new AutoCompaction(parsedMode, retention, TimeSpan.FromHours(whole), null);
        }

        if (parsedMode == AutoCompactionMode.Revision)
        {
            throw new FormatException($"'{retention}' is not a revision count: revision mode keeps a whole number of revisions.");
        }

        return GoDuration.TryParse(retention, out var period) && period >= TimeSpan.Zero
            ? new AutoCompaction(parsedMode, retention, period, null)
            : throw new FormatException($"'{retention}' is not a retention: write a Go duration such as 1h, 30m or 1h30m, or a whole number of hours.");
    }
}
