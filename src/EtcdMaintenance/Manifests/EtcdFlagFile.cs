using System.Globalization;
using EtcdMaintenance.Manifests.Yaml;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// A document that holds etcd's flags: read them, set them, remove them, with typed helpers for the flags maintenance needs.
/// The same calls work on a static-pod manifest (<see cref="EtcdManifest"/>), on etcd's configuration file
/// (<see cref="EtcdConfigFile"/>) and on kubeadm's <c>etcd.local.extraArgs</c> (<see cref="KubeadmClusterConfiguration"/>),
/// so a change can be made in every place that must carry it.
/// </summary>
/// <remarks>
/// Flag names are written without dashes (<c>quota-backend-bytes</c>; leading dashes are accepted and ignored). When a flag is
/// written more than once, etcd uses the last occurrence: reads return it, <see cref="SetFlag(string, string?)"/> changes it (and reports the
/// others), <see cref="RemoveFlag"/> removes them all. Setting a flag to the value it already has changes nothing.
/// </remarks>
public abstract partial class EtcdFlagFile : EtcdYamlDocument
{
    private protected EtcdFlagFile(DocumentOrigin origin, string text, IReadOnlyList<ManifestNotice> readNotices, IReadOnlyList<ManifestNotice> editNotices, IReadOnlyList<ManifestFlag> flags)
        : base(origin, text, readNotices, editNotices)
    {
        Flags = flags;
    }

    /// <summary>Every flag occurrence, in the order written; <see cref="ManifestFlag.IsEffective"/> marks the ones etcd uses.</summary>
    public IReadOnlyList<ManifestFlag> Flags { get; }

    /// <summary>The value etcd uses for a flag (the last occurrence; <c>true</c> for a bare boolean flag), or <see langword="null"/> when it is absent.</summary>
    /// <param name="name">The flag name, e.g. <c>quota-backend-bytes</c>.</param>
    public string? GetFlag(string name)
    {
        var normalized = EtcdFlagSyntax.Normalize(name);
        return Flags.LastOrDefault(f => f.Name == normalized)?.EffectiveValue;
    }

    /// <summary>Every occurrence of a flag, in order (more than one means duplicates; the last is effective).</summary>
    /// <param name="name">The flag name.</param>
    public IReadOnlyList<ManifestFlag> GetFlags(string name)
    {
        var normalized = EtcdFlagSyntax.Normalize(name);
        return [.. Flags.Where(f => f.Name == normalized)];
    }

    /// <summary>Whether the flag is written at least once.</summary>
    /// <param name="name">The flag name.</param>
    public bool HasFlag(string name) => GetFlags(name).Count > 0;

    /// <summary>
    /// Sets a flag: changes the effective occurrence in place (keeping its syntax and quoting), or adds the flag after the
    /// last one, in the same indentation and style. Only the bytes of that item change.
    /// </summary>
    /// <param name="name">The flag name, e.g. <c>quota-backend-bytes</c>.</param>
    /// <param name="value">
    /// The value; <see langword="null"/> writes a boolean flag without a value (<c>--client-cert-auth</c>) in a manifest, and
    /// <c>true</c> elsewhere. No line breaks.
    /// </param>
    /// <returns>The edited document (this one when the flag already has the value).</returns>
    /// <exception cref="ArgumentException">The name is not a flag name, or the value holds a line break.</exception>
    /// <exception cref="ManifestException">
    /// <see cref="ManifestErrorCode.UnknownFlag"/> for a flag etcd 3.4-3.6 does not have (etcd would refuse to start),
    /// <see cref="ManifestErrorCode.InvalidFlagValue"/> for a value etcd would not read as the flag's type (a number,
    /// boolean, Go duration, URL list or one of a set of words), <see cref="ManifestErrorCode.QuotaBelowMinimum"/> for a
    /// quota under 1 MiB or negative; or the flag's items are laid out in a way that cannot be edited safely.
    /// </exception>
    public EtcdFlagFile SetFlag(string name, string? value) => SetFlag(name, value, force: false);

    /// <summary>Sets a flag, as <see cref="SetFlag(string, string?)"/>; <paramref name="force"/> also writes what is otherwise refused.</summary>
    /// <param name="name">The flag name, e.g. <c>quota-backend-bytes</c>.</param>
    /// <param name="value">The value; <see langword="null"/> for a boolean flag written alone.</param>
    /// <param name="force">
    /// Write the flag unchecked: one this library does not know (a newer etcd's), a value it does not read as the flag's
    /// type, or a quota under 1 MiB. What etcd then does with it is the caller's responsibility.
    /// </param>
    /// <returns>The edited document (this one when the flag already has the value).</returns>
    /// <exception cref="ArgumentException">The name is not a flag name, or the value holds a line break.</exception>
    /// <exception cref="ManifestException">The value is refused (see <see cref="SetFlag(string, string?)"/>), or cannot be edited safely.</exception>
    public EtcdFlagFile SetFlag(string name, string? value, bool force)
    {
        var normalized = EtcdFlagSyntax.Normalize(name);
        EtcdFlagSyntax.ValidateValue(value);
        CheckValue(normalized, value, force);
        return SetCheckedFlag(normalized, value);
    }

    /// <summary>Refuses, before anything is written, a value etcd would refuse or take to mean something harmful.</summary>
    private void CheckValue(string name, string? value, bool force)
    {
        if (force)
        {
            return;
        }

        if (!EtcdFlagTypes.IsKnown(name))
        {
            throw ManifestException.Create(ManifestErrorCode.UnknownFlag, SourceName, LineOf(name), null, name,
                $"--{name} is not an etcd flag (etcd 3.4-3.6 would refuse to start); check the spelling, or force the change to write it anyway");
        }

        if (EtcdFlagTypes.Check(name, value) is { } problem)
        {
            throw ManifestException.Create(ManifestErrorCode.InvalidFlagValue, SourceName, LineOf(name), null, name, problem + "; force the change to write it anyway");
        }

        if (name == EtcdFlagSyntax.QuotaBackendBytes && value is not null)
        {
            CheckQuotaFloor(long.Parse(value, CultureInfo.InvariantCulture));
        }
    }

    private void CheckQuotaFloor(long bytes)
    {
        if (bytes < 0 || bytes is > 0 and < EtcdFlagTypes.MinimumQuotaBytes)
        {
            const string flag = EtcdFlagSyntax.QuotaBackendBytes;
            throw ManifestException.Create(ManifestErrorCode.QuotaBelowMinimum, SourceName, LineOf(flag), null, flag, bytes < 0
                ? $"a negative quota ({bytes}) turns etcd's quota off; force the change to write it anyway"
                : $"a quota of {QuotaBackendBytes.FormatSize(bytes)} is under 1 MiB: etcd would raise NOSPACE almost at once (quotas are in bytes: 8 GiB is 8589934592); force the change to write it anyway");
        }
    }

    /// <summary>Writes a flag whose name and value have been checked.</summary>
    private EtcdFlagFile SetCheckedFlag(string normalized, string? value)
    {
        value = NormalizeValue(normalized, value);
        var existing = GetFlags(normalized);
        if (existing.Count > 0 && existing[^1].EffectiveValue == (value ?? "true"))
        {
            return this;
        }

        var edits = PlanSet(normalized, value);
        var result = Apply(edits, normalized, AfterSet(normalized));
        var written = result.GetFlags(normalized);
        if (written.Count == 0 || written[^1].EffectiveValue != (value ?? "true") || (existing.Count > 0 && written.Count != existing.Count))
        {
            throw VerificationFailed(normalized, $"after setting it, the flag reads '{(written.Count > 0 ? written[^1].EffectiveValue : null)}'");
        }

        return result;
    }

    /// <summary>Removes every occurrence of a flag (with its value item, comment on the same line included). A flag that is absent changes nothing.</summary>
    /// <param name="name">The flag name.</param>
    /// <returns>The edited document (this one when the flag is absent).</returns>
    /// <exception cref="ManifestException">The flag's items are laid out in a way that cannot be edited safely.</exception>
    public EtcdFlagFile RemoveFlag(string name)
    {
        var normalized = EtcdFlagSyntax.Normalize(name);
        if (!HasFlag(normalized))
        {
            return this;
        }

        var result = Apply(PlanRemove(normalized), normalized, []);
        if (result.HasFlag(normalized))
        {
            throw VerificationFailed(normalized, "the flag is still there after removing it");
        }

        return result;
    }

    /// <summary>The backend quota (<c>--quota-backend-bytes</c>), or <see langword="null"/> when the flag is absent (etcd then uses 2 GiB).</summary>
    /// <exception cref="ManifestException">The value is not a whole number of bytes (etcd reads no units), naming the line.</exception>
    public QuotaBackendBytes? GetQuotaBackendBytes()
    {
        var value = GetFlag(EtcdFlagSyntax.QuotaBackendBytes);
        if (value is null)
        {
            return null;
        }

        if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes))
        {
            var hint = QuotaBackendBytes.TryParse(value, out var meant) ? $" (did you mean {meant}?)" : string.Empty;
            throw FlagError(EtcdFlagSyntax.QuotaBackendBytes, $"'{value}' is not a whole number of bytes; etcd reads no units{hint}");
        }

        return new QuotaBackendBytes(bytes);
    }

    /// <summary>
    /// Sets the backend quota, written as an integer byte count. Refuses a quota at or below
    /// <see cref="QuotaChangeOptions.CurrentDatabaseSize"/>, and one above 8 GiB unless <see cref="QuotaChangeOptions.Force"/>;
    /// adds warnings (lowered, little headroom, forced above 8 GiB) and, in a manifest, advice about the liveness probe
    /// (<see cref="ManifestNoticeCode.LivenessProbeBudgetTooSmall"/>) and about kubeadm's copy of the flags.
    /// </summary>
    /// <param name="quota">The new quota.</param>
    /// <param name="options">Safety checks and assumptions; defaults when <see langword="null"/>.</param>
    /// <returns>The edited document, with the warnings and advice in <see cref="EtcdYamlDocument.Notices"/>.</returns>
    /// <exception cref="ManifestException"><see cref="ManifestErrorCode.QuotaBelowDatabaseSize"/> or <see cref="ManifestErrorCode.QuotaAboveSuggestedMaximum"/>.</exception>
    public EtcdFlagFile SetQuotaBackendBytes(QuotaBackendBytes quota, QuotaChangeOptions? options = null)
    {
        options ??= new QuotaChangeOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.DefragmentBytesPerSecond, nameof(options));
        const string flag = EtcdFlagSyntax.QuotaBackendBytes;
        var notices = new List<ManifestNotice>();
        if (options.CurrentDatabaseSize is { } dbSize)
        {
            if (quota.EffectiveBytes <= dbSize)
            {
                throw ManifestException.Create(ManifestErrorCode.QuotaBelowDatabaseSize, SourceName, LineOf(flag), null, flag,
                    $"a quota of {quota.ToDisplayString()} is not above the current database size of {QuotaBackendBytes.FormatSize(dbSize)}: etcd would raise NOSPACE at once");
            }

            if (quota.EffectiveBytes - dbSize < quota.EffectiveBytes / 10)
            {
                notices.Add(new ManifestNotice(ManifestNoticeCode.QuotaLowHeadroom, ManifestNoticeSeverity.Warning,
                    $"the quota of {quota.ToDisplayString()} leaves less than 10% above the current database size of {QuotaBackendBytes.FormatSize(dbSize)}") { Flag = flag });
            }
        }

        if (!options.Force)
        {
            CheckQuotaFloor(quota.Bytes);
        }

        if (quota > QuotaBackendBytes.SuggestedMaximum)
        {
            if (!options.Force)
            {
                throw ManifestException.Create(ManifestErrorCode.QuotaAboveSuggestedMaximum, SourceName, LineOf(flag), null, flag,
                    $"a quota of {quota.ToDisplayString()} is above etcd's suggested maximum of 8 GiB; force the change to write it anyway");
            }

            notices.Add(new ManifestNotice(ManifestNoticeCode.QuotaAboveSuggestedMaximum, ManifestNoticeSeverity.Warning,
                $"a quota of {quota.ToDisplayString()} is above etcd's suggested maximum of 8 GiB: etcd will log a warning at start, and defragments and snapshots take longer") { Flag = flag });
        }

        if (quota.Bytes == 0)
        {
            notices.Add(new ManifestNotice(ManifestNoticeCode.QuotaZeroMeansDefault, ManifestNoticeSeverity.Info, "a quota of 0 means etcd's default of 2 GiB") { Flag = flag });
        }

        QuotaBackendBytes? current = null;
        try
        {
            current = GetQuotaBackendBytes();
        }
        catch (ManifestException)
        {
            // The current value is broken; this edit replaces it.
        }

        if ((current ?? QuotaBackendBytes.EtcdDefault) > quota)
        {
            notices.Add(new ManifestNotice(ManifestNoticeCode.QuotaLowered, ManifestNoticeSeverity.Warning,
                $"the quota goes down from {(current ?? QuotaBackendBytes.EtcdDefault).ToDisplayString()} to {quota.ToDisplayString()}") { Flag = flag });
        }

        var result = SetCheckedFlag(flag, quota.ToString());
        notices.AddRange(result.QuotaNotices(quota, options));
        return result.Rebuild(result.Text, Merge(result.EditNotices, notices));
    }

    /// <summary>Automatic compaction (<c>--auto-compaction-mode</c> and <c>--auto-compaction-retention</c>), or <see langword="null"/> when neither is set (etcd then does not compact by itself).</summary>
    /// <exception cref="ManifestException">The mode or the retention does not parse, naming the line.</exception>
    public AutoCompaction? GetAutoCompaction()
    {
        var mode = GetFlag(EtcdFlagSyntax.AutoCompactionMode);
        var retention = GetFlag(EtcdFlagSyntax.AutoCompactionRetention);
        if (mode is null && retention is null)
        {
            return null;
        }

        try
        {
            return AutoCompaction.Parse(mode, retention ?? "0");
        }
        catch (FormatException ex)
        {
            var flag = mode is not null && mode is not ("periodic" or "revision") ? EtcdFlagSyntax.AutoCompactionMode : EtcdFlagSyntax.AutoCompactionRetention;
            throw FlagError(flag, ex.Message.TrimEnd('.'), ex);
        }
    }

    /// <summary>Sets automatic compaction: both <c>--auto-compaction-mode</c> and <c>--auto-compaction-retention</c>.</summary>
    /// <param name="compaction">E.g. <c>AutoCompaction.Periodic(TimeSpan.FromHours(1))</c> or <c>AutoCompaction.Revision(10000)</c>.</param>
    public EtcdFlagFile SetAutoCompaction(AutoCompaction compaction)
    {
        ArgumentNullException.ThrowIfNull(compaction);
        return SetFlag(EtcdFlagSyntax.AutoCompactionMode, compaction.ModeText).SetFlag(EtcdFlagSyntax.AutoCompactionRetention, compaction.Retention);
    }

    /// <summary>The initial cluster (<c>--initial-cluster</c>), or <see langword="null"/> when absent.</summary>
    /// <exception cref="ManifestException">The value does not parse, naming the line.</exception>
    public InitialCluster? GetInitialCluster()
    {
        var value = GetFlag(EtcdFlagSyntax.InitialCluster);
        if (value is null)
        {
            return null;
        }

        try
        {
            return InitialCluster.Parse(value, CultureInfo.InvariantCulture);
        }
        catch (FormatException ex)
        {
            throw FlagError(EtcdFlagSyntax.InitialCluster, ex.Message.TrimEnd('.'), ex);
        }
    }

    /// <summary>Sets <c>--initial-cluster</c>. Re-joining a member also needs <see cref="SetInitialClusterState"/> with <see cref="InitialClusterState.Existing"/>.</summary>
    /// <param name="cluster">Every current member plus the one being started.</param>
    public EtcdFlagFile SetInitialCluster(InitialCluster cluster)
    {
        ArgumentNullException.ThrowIfNull(cluster);
        return SetFlag(EtcdFlagSyntax.InitialCluster, cluster.ToString());
    }

    /// <summary>The initial cluster state (<c>--initial-cluster-state</c>), or <see langword="null"/> when absent (etcd then assumes <c>new</c>).</summary>
    /// <exception cref="ManifestException">The value is neither <c>new</c> nor <c>existing</c>, naming the line.</exception>
    public InitialClusterState? GetInitialClusterState() => GetFlag(EtcdFlagSyntax.InitialClusterState) switch
    {
        null => null,
        "new" => InitialClusterState.New,
        "existing" => InitialClusterState.Existing,
        var other => throw FlagError(EtcdFlagSyntax.InitialClusterState, $"'{other}' is not an initial cluster state: etcd accepts 'new' or 'existing'"),
    };

    /// <summary>Sets <c>--initial-cluster-state</c> to <c>new</c> or <c>existing</c>.</summary>
    /// <param name="state">The state.</param>
    public EtcdFlagFile SetInitialClusterState(InitialClusterState state) => SetFlag(EtcdFlagSyntax.InitialClusterState, state switch
    {
        InitialClusterState.New => "new",
        InitialClusterState.Existing => "existing",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown initial cluster state."),
    });

    /// <summary>The member name (<c>--name</c>), or <see langword="null"/> when absent.</summary>
    public string? GetName() => GetFlag(EtcdFlagSyntax.Name);

    /// <summary>Sets the member name (<c>--name</c>).</summary>
    /// <param name="name">Not empty.</param>
    public EtcdFlagFile SetName(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return SetFlag(EtcdFlagSyntax.Name, name);
    }

    /// <summary>The data directory (<c>--data-dir</c>), or <see langword="null"/> when absent.</summary>
    public string? GetDataDir() => GetFlag(EtcdFlagSyntax.DataDir);

    /// <summary>Sets the data directory (<c>--data-dir</c>).</summary>
    /// <param name="path">Not empty.</param>
    public EtcdFlagFile SetDataDir(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        return SetFlag(EtcdFlagSyntax.DataDir, path);
    }

    /// <summary>The URLs of a URL flag (comma-separated in the flag), or <see langword="null"/> when absent.</summary>
    /// <param name="flag">Which flag.</param>
    /// <exception cref="ManifestException">A URL is not one etcd accepts, naming the line.</exception>
    public IReadOnlyList<string>? GetUrls(EtcdUrlKind flag)
    {
        var name = EtcdUrls.FlagName(flag);
        var value = GetFlag(name);
        if (value is null)
        {
            return null;
        }

        var urls = value.Split(',');
        foreach (var url in urls)
        {
            if (EtcdUrls.Check(url) is { } problem)
            {
                throw FlagError(name, problem.TrimEnd('.'));
            }
        }

        return urls;
    }

    /// <summary>Sets a URL flag to a comma-separated list.</summary>
    /// <param name="flag">Which flag.</param>
    /// <param name="urls">At least one; each http(s) with host and port and no path, or unix(s).</param>
    public EtcdFlagFile SetUrls(EtcdUrlKind flag, IEnumerable<string> urls)
    {
        ArgumentNullException.ThrowIfNull(urls);
        var list = urls.ToList();
        if (list.Count == 0)
        {
            throw new ArgumentException("At least one URL is needed.", nameof(urls));
        }

        foreach (var url in list)
        {
            EtcdUrls.Validate(url, nameof(urls));
        }

        return SetFlag(EtcdUrls.FlagName(flag), string.Join(',', list));
    }

    /// <summary>The edits that set a flag. <paramref name="name"/> is normalized, <paramref name="value"/> validated.</summary>
    private protected abstract IReadOnlyList<TextEdit> PlanSet(string name, string? value);

    /// <summary>The edits that remove every occurrence of a flag that is present.</summary>
    private protected abstract IReadOnlyList<TextEdit> PlanRemove(string name);

    /// <summary>Parses an edited text into a new document with the same origin, carrying the notices edits added.</summary>
    private protected abstract EtcdFlagFile Rebuild(string text, IReadOnlyList<ManifestNotice> notices);

    /// <summary>How a value is stored: documents without bare flags store <see langword="null"/> as <c>true</c>.</summary>
    private protected virtual string? NormalizeValue(string name, string? value) => value ?? "true";

    /// <summary>Notices that come with setting any flag (e.g. kubeadm's copy of the flags).</summary>
    private protected virtual IEnumerable<ManifestNotice> AfterSet(string name) => [];

    /// <summary>Advice that comes with a new quota (e.g. the liveness probe's budget).</summary>
    private protected virtual IEnumerable<ManifestNotice> QuotaNotices(QuotaBackendBytes quota, QuotaChangeOptions options) => [];

    /// <summary>The 1-based line of the effective occurrence of a flag, when present.</summary>
    private protected int? LineOf(string name) => Flags.LastOrDefault(f => f.Name == name)?.Line;

    /// <summary>A <see cref="ManifestErrorCode.InvalidFlagValue"/> error at the effective occurrence of a flag.</summary>
    private protected ManifestException FlagError(string name, string what, Exception? inner = null) =>
        ManifestException.Create(ManifestErrorCode.InvalidFlagValue, SourceName, LineOf(name), null, name, what, inner);

    /// <summary>Notices for flags written more than once.</summary>
    private protected static IEnumerable<ManifestNotice> DuplicateNotices(IReadOnlyList<ManifestFlag> flags, string noun) =>
        flags.GroupBy(f => f.Name, StringComparer.Ordinal).Where(g => g.Count() > 1).Select(g =>
        {
            var last = g.Last();
            return new ManifestNotice(ManifestNoticeCode.DuplicateFlag, ManifestNoticeSeverity.Warning,
                $"{noun} {g.Key} is written {g.Count()} times (lines {string.Join(", ", g.Select(f => f.Line))}); etcd uses the last one, line {last.Line}: '{last.EffectiveValue}'")
            {
                Flag = g.Key,
                Line = last.Line,
            };
        });

    /// <summary>Marks the last occurrence of each name as the effective one.</summary>
    private protected static IReadOnlyList<ManifestFlag> MarkEffective(IEnumerable<ManifestFlag> flags)
    {
        var list = flags.ToList();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = list.Count - 1; i >= 0; i--)
        {
            list[i] = list[i] with { IsEffective = seen.Add(list[i].Name) };
        }

        return list.AsReadOnly();
    }

    private EtcdFlagFile Apply(IReadOnlyList<TextEdit> edits, string name, IEnumerable<ManifestNotice> notices)
    {
        EtcdFlagFile result;
        try
        {
            result = Rebuild(TextEdit.Apply(Text, edits), Merge(EditNotices, notices));
        }
        catch (ManifestException ex)
        {
            throw VerificationFailed(name, $"the edited text no longer reads: {ex.Message}", ex);
        }

        // Every other flag must read exactly as before: the edit touched only this flag's items.
        var before = Flags.Where(f => f.Name != name).Select(f => (f.Name, f.Value, f.Syntax));
        var after = result.Flags.Where(f => f.Name != name).Select(f => (f.Name, f.Value, f.Syntax));
        if (!before.SequenceEqual(after))
        {
            throw VerificationFailed(name, "the edit changed other flags");
        }

        // Nor may it leave an item etcd would refuse (a value Go does not pair with its flag, a flag without its value).
        static int Broken(EtcdYamlDocument document) => document.Notices.Count(n => n.Code is ManifestNoticeCode.StrayArgument or ManifestNoticeCode.MissingFlagValue);
        if (Broken(result) > Broken(this))
        {
            throw VerificationFailed(name, "the edit left a command-line item etcd would refuse");
        }

        return result;
    }

    private ManifestException VerificationFailed(string name, string what, Exception? inner = null) =>
        ManifestException.Create(ManifestErrorCode.EditVerificationFailed, SourceName, LineOf(name), null, name,
            $"the edit was abandoned because {what}; nothing was changed. Please report this with the file", inner);
}
