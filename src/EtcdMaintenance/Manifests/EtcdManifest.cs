using System.Globalization;
using EtcdMaintenance.Manifests.Yaml;
using YamlDotNet.Core;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// A static-pod manifest that runs etcd (kubeadm's <c>/etc/kubernetes/manifests/etcd.yaml</c> and its kind): the etcd
/// container's flags under <c>command:</c> (kubeadm) or <c>args:</c> (other distributions), read and edited in place.
/// </summary>
/// <remarks>
/// <para>
/// The etcd container is the one named <c>etcd</c>, or else the first whose command starts with an executable named
/// <c>etcd</c>. Its command line is <c>command</c> followed by <c>args</c>; the flags are every item after the executable.
/// Flags are read as etcd reads them: <c>--name=value</c>, <c>--name value</c> (two items), <c>--name</c> alone for a
/// boolean flag; plain and quoted scalars alike.
/// </para>
/// <para>
/// kubeadm regenerates this file on upgrade from its <c>ClusterConfiguration</c>: make lasting changes there too
/// (<see cref="KubeadmClusterConfiguration"/>; a notice says so). A manifest that passes <c>--config-file</c> makes etcd
/// ignore every other flag: edit the file with <see cref="EtcdConfigFile"/> instead (a notice says so).
/// </para>
/// </remarks>
public sealed class EtcdManifest : EtcdFlagFile
{
    private readonly Model _model;

    private EtcdManifest(DocumentOrigin origin, string text, IReadOnlyList<ManifestNotice> editNotices, Model model)
        : base(origin, text, model.Notices, editNotices, model.Flags)
    {
        _model = model;
    }

    /// <summary>The etcd container's name.</summary>
    public string ContainerName => _model.ContainerName;

    /// <summary>The container's <c>command</c> items (empty when it has none and the image's entrypoint runs).</summary>
    public IReadOnlyList<string> Command => _model.Command;

    /// <summary>The container's <c>args</c> items (empty when it has none).</summary>
    public IReadOnlyList<string> Args => _model.Args;

    /// <summary>The command line the container runs: <see cref="Command"/> then <see cref="Args"/>, e.g. <c>etcd --name=n1 ...</c>.</summary>
    public IReadOnlyList<string> CommandLine => [.. _model.Command, .. _model.Args];

    /// <summary>The etcd container's liveness probe, or <see langword="null"/> when it has none.</summary>
    public LivenessProbe? LivenessProbe => _model.Probe;

    /// <summary>Whether kubeadm generated the manifest (a <c>kubeadm.kubernetes.io/</c> annotation, or labels <c>component: etcd</c> and <c>tier: control-plane</c>).</summary>
    public bool IsKubeadmManaged => _model.IsKubeadm;

    /// <summary>Loads a manifest from a file.</summary>
    /// <param name="path">E.g. <c>/etc/kubernetes/manifests/etcd.yaml</c>.</param>
    /// <exception cref="ManifestException">The file is not a Pod manifest with an etcd container, naming the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static new EtcdManifest Load(string path) => Create(DocumentOrigin.FromFile(path), null, []);

    /// <summary>Parses a manifest from text.</summary>
    /// <param name="text">The manifest; a leading byte-order mark is kept.</param>
    /// <param name="sourceName">A name for messages and diffs, e.g. the path it came from.</param>
    /// <exception cref="ManifestException">The text is not a Pod manifest with an etcd container, naming the line.</exception>
    public static new EtcdManifest Parse(string text, string? sourceName = null) => Create(DocumentOrigin.FromText(text, sourceName), null, []);

    /// <summary>
    /// Whether the liveness probe leaves a defragment of a database as large as <paramref name="quota"/> enough time, and
    /// the failureThreshold that would; <see langword="null"/> when the container has no liveness probe.
    /// </summary>
    /// <param name="quota">The quota (the largest the database can grow).</param>
    /// <param name="defragmentBytesPerSecond">The defragment throughput to assume; see <see cref="QuotaChangeOptions.DefaultDefragmentBytesPerSecond"/>.</param>
    public LivenessProbeAssessment? AssessLivenessProbe(QuotaBackendBytes quota, long defragmentBytesPerSecond = QuotaChangeOptions.DefaultDefragmentBytesPerSecond) =>
        _model.Probe is { } probe ? LivenessProbeAssessment.Create(probe, quota, defragmentBytesPerSecond) : null;

    /// <summary>Sets the etcd container's <c>livenessProbe.failureThreshold</c> (replacing the value, or adding the key after the probe's last one).</summary>
    /// <param name="failureThreshold">At least 1; see <see cref="LivenessProbeAssessment.SuggestedFailureThreshold"/>.</param>
    /// <exception cref="ManifestException">The container has no liveness probe, or it is a flow mapping.</exception>
    public EtcdManifest SetLivenessProbeFailureThreshold(int failureThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failureThreshold, 1);
        if (_model.ProbeNode is not { } probe || _model.Probe is null)
        {
            throw Error(ManifestErrorCode.UnsupportedLayout, _model.ContainerLine, null, "the etcd container has no livenessProbe to change");
        }

        if (_model.Probe.FailureThreshold == failureThreshold && probe.Find("failureThreshold") is not null)
        {
            return this;
        }

        var layout = new BlockLayout(Text);
        var text = failureThreshold.ToString(CultureInfo.InvariantCulture);
        TextEdit edit;
        if (probe.Find("failureThreshold") is { Value: YScalar { HasProperties: false, IsBlock: false } scalar })
        {
            edit = new TextEdit(scalar.Start, scalar.End, text);
        }
        else if (!probe.IsFlow && probe.Entries.Count > 0 && probe.Find("failureThreshold") is null)
        {
            var last = probe.Entries[^1];
            var indent = layout.IndentOf(probe.Entries[0].Key.Start);
            edit = TextEdit.Insert(layout.EndOfLastLine(last.Value.End > last.Key.End ? last.Value : last.Key), $"{layout.Newline}{indent}failureThreshold: {text}");
        }
        else
        {
            throw Error(ManifestErrorCode.UnsupportedLayout, probe.Line, null, "the livenessProbe is not a block mapping with a plain failureThreshold; change it by hand");
        }

        // Advice about the old threshold is replaced by an assessment of the new one (silent when it now suffices).
        var stale = EditNotices.Where(n => n.Code == ManifestNoticeCode.LivenessProbeBudgetTooSmall).ToList();
        var result = Rebuild(TextEdit.Apply(Text, [edit]), [.. EditNotices.Except(stale)]);
        if (result.LivenessProbe?.FailureThreshold != failureThreshold || !result.Flags.SequenceEqual(Flags))
        {
            throw Error(ManifestErrorCode.EditVerificationFailed, probe.Line, null, "the edit of livenessProbe.failureThreshold did not read back; nothing was changed");
        }

        if (stale.Count > 0 && result.GetQuotaBackendBytes() is { } quota)
        {
            var options = new QuotaChangeOptions { DefragmentBytesPerSecond = stale[^1].DefragmentBytesPerSecond };
            result = result.Rebuild(result.Text, Merge(result.EditNotices, result.QuotaNotices(quota, options)));
        }

        return result;
    }

    /// <inheritdoc />
    public override EtcdFlagFileKind Kind => EtcdFlagFileKind.StaticPodManifest;

    /// <inheritdoc />
    public override string Description => $"static pod, container {ContainerName}{(IsKubeadmManaged ? " (kubeadm)" : string.Empty)}: {string.Join(' ', Command.Take(1))}";

    internal static EtcdManifest FromOrigin(DocumentOrigin origin) => Create(origin, null, []);

    private protected override EtcdManifest Rebuild(string text, IReadOnlyList<ManifestNotice> notices) => Create(Origin, text, notices);

    private protected override string? NormalizeValue(string name, string? value)
    {
        if (value is null && EtcdFlagSyntax.AlwaysTakesValue(name))
        {
            throw new ArgumentException($"--{name} needs a value; only boolean flags can be written without one.", nameof(value));
        }

        return value;
    }

    private protected override IEnumerable<ManifestNotice> AfterSet(string name)
    {
        if (_model.IsKubeadm)
        {
            yield return new ManifestNotice(ManifestNoticeCode.KubeadmRegeneratesManifest, ManifestNoticeSeverity.Info,
                $"kubeadm regenerates this manifest on upgrade: set {name} in ClusterConfiguration etcd.local.extraArgs too (the kubeadm-config ConfigMap), or the change is lost")
            { Flag = name };
        }

        if (name != EtcdFlagSyntax.ConfigFile && GetFlag(EtcdFlagSyntax.ConfigFile) is { } configFile)
        {
            yield return ConfigFileNotice(configFile, LineOf(EtcdFlagSyntax.ConfigFile));
        }
    }

    private protected override IEnumerable<ManifestNotice> QuotaNotices(QuotaBackendBytes quota, QuotaChangeOptions options)
    {
        if (AssessLivenessProbe(quota, options.DefragmentBytesPerSecond) is { IsSufficient: false } assessment)
        {
            var probe = assessment.Probe;
            yield return new ManifestNotice(ManifestNoticeCode.LivenessProbeBudgetTooSmall, ManifestNoticeSeverity.Warning,
                $"a defragment of a {quota.ToDisplayString()} database may block etcd's health checks for about {Format(assessment.EstimatedDefragmentDuration)} " +
                $"(at {QuotaBackendBytes.FormatSize(assessment.DefragmentBytesPerSecond)}/s), but the liveness probe kills etcd after about {Format(probe.FailureBudget)} of failed checks " +
                $"(failureThreshold {probe.FailureThreshold} x periodSeconds {probe.PeriodSeconds}); raise failureThreshold to {assessment.SuggestedFailureThreshold} " +
                "(SetLivenessProbeFailureThreshold), or defragment long before the database gets this large")
            {
                Flag = EtcdFlagSyntax.QuotaBackendBytes,
                Line = probe.Line,
                DefragmentBytesPerSecond = options.DefragmentBytesPerSecond,
            };
        }
    }

    private static string Format(TimeSpan duration) => duration.TotalSeconds < 120
        ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0} s")
        : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0.#} min");

    private static ManifestNotice ConfigFileNotice(string configFile, int? line) =>
        new(ManifestNoticeCode.FlagsIgnoredWithConfigFile, ManifestNoticeSeverity.Warning,
            $"etcd is started with --config-file={configFile}, so it ignores every other flag: change that file instead (EtcdConfigFile)")
        {
            Flag = EtcdFlagSyntax.ConfigFile,
            Line = line,
        };

    private protected override IReadOnlyList<TextEdit> PlanSet(string name, string? value)
    {
        var layout = new BlockLayout(Text);
        var occurrences = _model.Occurrences.Where(o => o.Name == name).ToList();
        if (occurrences.Count > 0)
        {
            return PlanChange(layout, occurrences[^1], value);
        }

        return PlanAdd(layout, name, value);
    }

    private List<TextEdit> PlanChange(BlockLayout layout, EtcdFlagSyntax.Occurrence occurrence, string? value)
    {
        var nameItem = EditableItem(occurrence.NameItem, occurrence.Name);
        var joined = $"{new string('-', occurrence.Dashes)}{occurrence.Name}";
        if (value is not null)
        {
            joined += "=" + value;
        }

        switch (occurrence.Syntax)
        {
            case ManifestFlagSyntax.Separate when value is not null && !(value.StartsWith('-') && !EtcdFlagSyntax.AlwaysTakesValue(occurrence.Name)):
                var valueItem = EditableItem(occurrence.ValueItem!.Value, occurrence.Name);
                return [BlockEdits.ReplaceScalar(layout, valueItem.Node, ScalarText.Format(value, valueItem.Node.Style, mustReadAsString: true))];
            case ManifestFlagSyntax.Separate:
                // Bare now, or a value that would read as a flag of its own: one item, --name[=value].
                var dropped = EditableItem(occurrence.ValueItem!.Value, occurrence.Name);
                var lines = layout.ItemLines(dropped.Node) ?? throw Unsupported(dropped.Node, occurrence.Name, "the value item does not start its own line");
                return [BlockEdits.ReplaceScalar(layout, nameItem.Node, ScalarText.Format(joined, nameItem.Node.Style, mustReadAsString: true)), layout.DeleteLines(lines.Start, lines.End)];
            default:
                return [BlockEdits.ReplaceScalar(layout, nameItem.Node, ScalarText.Format(joined, nameItem.Node.Style, mustReadAsString: true))];
        }
    }

    private List<TextEdit> PlanAdd(BlockLayout layout, string name, string? value)
    {
        if (_model.Occurrences.Count > 0)
        {
            // After the last item of the last flag, in the style of the last flag written with a value.
            var last = _model.Occurrences[^1];
            var reference = _model.Occurrences.LastOrDefault(o => o.Syntax != ManifestFlagSyntax.Bare);
            return PlanAddAfter(layout, name, value, _model.Items[last.ValueItem ?? last.NameItem], reference);
        }

        if (_model.ArgsEntry is { } argsEntry)
        {
            return _model.ArgsSequence is { Items.Count: > 0 } args
                ? PlanAddAfter(layout, name, value, new FlagItem((YScalar)args.Items[^1], args), null)
                : PlanAddUnderKey(layout, name, value, argsEntry);
        }

        if (_model.CommandSequence is { Items.Count: > 0 } command)
        {
            return PlanAddAfter(layout, name, value, new FlagItem((YScalar)command.Items[^1], command), null);
        }

        throw Error(ManifestErrorCode.UnsupportedLayout, _model.ContainerLine, name, "the etcd container has neither command nor args to add the flag to");
    }

    private List<TextEdit> PlanAddAfter(BlockLayout layout, string name, string? value, FlagItem anchor, EtcdFlagSyntax.Occurrence? reference)
    {
        if (anchor.Sequence.IsFlow)
        {
            throw Unsupported(anchor.Sequence, name, "the flags are a flow sequence ([a, b]); rewrite it as a block list (- a) to edit it");
        }

        var dash = layout.DashOf(anchor.Node) ?? throw Unsupported(anchor.Node, name, "the item before the new flag does not start its own line");
        var prefix = layout.Newline + layout.IndentOf(dash) + "-" + layout.GapAfterDash(anchor.Node, dash);
        var nameStyle = reference is null ? anchor.Node.Style : _model.Items[reference.NameItem].Node.Style;
        // Two items only where etcd reads the second as the value: never for a boolean flag (Go would stop at the value)
        // nor for a value starting with a dash after a flag etcd does not know.
        var separate = reference is { Syntax: ManifestFlagSyntax.Separate } && value is not null && !EtcdFlagSyntax.IsBoolean(name)
            && !(value.StartsWith('-') && !EtcdFlagSyntax.AlwaysTakesValue(name));
        string inserted;
        if (separate)
        {
            var valueStyle = _model.Items[reference!.ValueItem!.Value].Node.Style;
            inserted = prefix + ScalarText.Format($"--{name}", nameStyle, mustReadAsString: true)
                + prefix + ScalarText.Format(value!, valueStyle, mustReadAsString: true);
        }
        else
        {
            var item = value is null ? $"--{name}" : $"--{name}={value}";
            inserted = prefix + ScalarText.Format(item, nameStyle, mustReadAsString: true);
        }

        return [TextEdit.Insert(layout.EndOfLastLine(anchor.Node), inserted)];
    }

    private List<TextEdit> PlanAddUnderKey(BlockLayout layout, string name, string? value, YEntry entry)
    {
        if (!BlockEdits.IsEmptyValue(entry.Value))
        {
            throw Unsupported(entry.Value, name, "args is not a block list; rewrite it as one (- a) to edit it");
        }

        // `args:` or `args: []` becomes a block list, indented the way the command list is indented under its key (or by 2).
        var offset = 2;
        if (_model.CommandEntry is { Value: YSequence { IsFlow: false, Items.Count: > 0 } command } commandEntry
            && layout.DashOf(command.Items[0]) is { } commandDash)
        {
            offset = layout.ColumnOf(commandDash) - layout.ColumnOf(commandEntry.Key.Start);
        }

        var item = value is null ? $"--{name}" : $"--{name}={value}";
        return [.. BlockEdits.FillEmptyValue(layout, entry, [$"- {ScalarText.Format(item, ScalarStyle.Plain, mustReadAsString: true)}"], offset)];
    }

    private protected override IReadOnlyList<TextEdit> PlanRemove(string name)
    {
        var layout = new BlockLayout(Text);
        var ranges = new List<(int Start, int End)>();
        foreach (var occurrence in _model.Occurrences.Where(o => o.Name == name))
        {
            foreach (var index in occurrence.ValueItem is { } v ? [occurrence.NameItem, v] : new[] { occurrence.NameItem })
            {
                var item = EditableItem(index, name, allowProperties: true);
                ranges.Add(layout.ItemLines(item.Node) ?? throw Unsupported(item.Node, name, "the item does not start its own line"));
            }
        }

        var merged = new List<(int Start, int End)>();
        foreach (var range in ranges.OrderBy(r => r.Start))
        {
            if (merged.Count > 0 && range.Start <= merged[^1].End)
            {
                merged[^1] = (merged[^1].Start, Math.Max(merged[^1].End, range.End));
            }
            else
            {
                merged.Add(range);
            }
        }

        return [.. merged.Select(r => layout.DeleteLines(r.Start, r.End))];
    }

    private FlagItem EditableItem(int index, string flag, bool allowProperties = false)
    {
        var item = _model.Items[index];
        if (item.Sequence.IsFlow)
        {
            throw Unsupported(item.Sequence, flag, "the flags are a flow sequence ([a, b]); rewrite it as a block list (- a) to edit it");
        }

        if (item.Node.HasProperties && !allowProperties)
        {
            throw Unsupported(item.Node, flag, "the item has an anchor or a tag; edit it by hand");
        }

        return item;
    }

    private ManifestException Unsupported(YNode node, string? flag, string what) => Error(ManifestErrorCode.UnsupportedLayout, node.Line, flag, what, node.Column);

    private ManifestException Error(ManifestErrorCode code, int? line, string? flag, string what, int? column = null) =>
        ManifestException.Create(code, SourceName, line, column, flag, what);

    private static EtcdManifest Create(DocumentOrigin origin, string? text, IReadOnlyList<ManifestNotice> editNotices)
    {
        text ??= origin.Text;
        return new EtcdManifest(origin, text, editNotices, Model.Read(text, origin.SourceName));
    }

    /// <summary>A command-line item of the etcd container and the list it belongs to.</summary>
    private sealed record FlagItem(YScalar Node, YSequence Sequence);

    /// <summary>What the manifest says about the etcd container, with the nodes needed to edit it.</summary>
    private sealed class Model
    {
        public required string ContainerName { get; init; }

        public required int ContainerLine { get; init; }

        public required IReadOnlyList<string> Command { get; init; }

        public required IReadOnlyList<string> Args { get; init; }

        public required YEntry? CommandEntry { get; init; }

        public required YEntry? ArgsEntry { get; init; }

        public YSequence? CommandSequence => CommandEntry?.Value as YSequence;

        public YSequence? ArgsSequence => ArgsEntry?.Value as YSequence;

        /// <summary>The items after the executable, in command-line order.</summary>
        public required List<FlagItem> Items { get; init; }

        public required IReadOnlyList<EtcdFlagSyntax.Occurrence> Occurrences { get; init; }

        public required IReadOnlyList<ManifestFlag> Flags { get; init; }

        public required IReadOnlyList<ManifestNotice> Notices { get; init; }

        public required LivenessProbe? Probe { get; init; }

        public required YMapping? ProbeNode { get; init; }

        public required bool IsKubeadm { get; init; }

        public static Model Read(string text, string sourceName)
        {
            var source = new YamlSource(sourceName);
            var documents = YamlTree.Parse(text, source);
            ManifestException Fail(ManifestErrorCode code, YNode? at, string what) =>
                ManifestException.Create(code, sourceName, at?.Line, at?.Column, null, what);

            if (documents.Count == 0)
            {
                throw Fail(ManifestErrorCode.NotAPod, null, "the file is empty; expected a Pod manifest");
            }

            if (documents.Count > 1)
            {
                throw Fail(ManifestErrorCode.MultipleDocuments, documents[1], $"the file holds {documents.Count} YAML documents; a static-pod manifest holds one Pod (kubelet would not run this file as intended)");
            }

            if (documents[0] is not YMapping root)
            {
                throw Fail(ManifestErrorCode.NotAPod, documents[0], "the document is not a mapping; expected a Pod manifest");
            }

            var kind = root.GetScalar("kind");
            if (kind != "Pod")
            {
                throw Fail(ManifestErrorCode.NotAPod, root.Get("kind") ?? root, kind is null ? "the document has no kind; expected kind: Pod" : $"the document is a {kind}, not a Pod");
            }

            if (root.Get("spec") is not YMapping spec)
            {
                throw Fail(ManifestErrorCode.NotAPod, root.Get("spec") ?? root, "the Pod has no spec mapping");
            }

            if (spec.Get("containers") is not YSequence containers || containers.Items.Count == 0)
            {
                throw Fail(ManifestErrorCode.NoEtcdContainer, spec.Get("containers") ?? spec, "the Pod has no containers");
            }

            var candidates = containers.Items.OfType<YMapping>().ToList();
            var container = candidates.FirstOrDefault(c => c.GetScalar("name") == "etcd")
                ?? candidates.FirstOrDefault(c => c.Get("command") is YSequence { Items: [YScalar first, ..] } && IsEtcdExecutable(first.Value))
                ?? throw Fail(ManifestErrorCode.NoEtcdContainer, containers,
                    $"no container is named etcd or runs etcd (containers: {string.Join(", ", candidates.Select(c => c.GetScalar("name") ?? "?"))})");

            var commandEntry = container.Find("command");
            var argsEntry = container.Find("args");
            var command = ReadList(commandEntry, "command");
            var args = ReadList(argsEntry, "args");
            if (command is [var executable, ..] && Path.GetFileName(executable.Value) is "sh" or "bash" or "ash" or "dash" or "busybox")
            {
                throw Fail(ManifestErrorCode.UnsupportedLayout, executable, $"etcd is started by a shell ({executable.Value}); its flags are inside a script this editor does not change");
            }

            var items = command.Skip(1).Select(n => new FlagItem(n, (YSequence)commandEntry!.Value))
                .Concat(args.Select(n => new FlagItem(n, (YSequence)argsEntry!.Value)))
                .ToList();
            var parsed = EtcdFlagSyntax.Parse([.. items.Select(i => i.Node.Value)]);
            var flags = MarkEffective(parsed.Flags.Select(o => new ManifestFlag(o.Name, o.Value, o.Syntax, items[o.NameItem].Node.Line)));

            var notices = new List<ManifestNotice>(DuplicateNotices(flags, "flag"));
            notices.AddRange(parsed.StrayItems.Select(i => new ManifestNotice(ManifestNoticeCode.StrayArgument, ManifestNoticeSeverity.Warning,
                $"'{items[i].Node.Value}' is neither a flag nor a flag's value; etcd refuses to start with it") { Line = items[i].Node.Line }));
            notices.AddRange(parsed.MissingValueItems.Select(i => new ManifestNotice(ManifestNoticeCode.MissingFlagValue, ManifestNoticeSeverity.Warning,
                $"'{items[i].Node.Value}' needs a value and has none; etcd refuses to start") { Line = items[i].Node.Line }));
            if (flags.LastOrDefault(f => f.Name == EtcdFlagSyntax.ConfigFile) is { } configFile)
            {
                notices.Add(ConfigFileNotice(configFile.EffectiveValue, configFile.Line));
            }

            var probeEntry = container.Find("livenessProbe");
            var probeNode = probeEntry?.Value as YMapping;
            return new Model
            {
                ContainerName = container.GetScalar("name") ?? "(unnamed)",
                ContainerLine = container.Line,
                Command = [.. command.Select(n => n.Value)],
                Args = [.. args.Select(n => n.Value)],
                CommandEntry = commandEntry,
                ArgsEntry = argsEntry,
                Items = items,
                Occurrences = parsed.Flags,
                Flags = flags,
                Notices = notices,
                Probe = probeNode is null ? null : ReadProbe(probeNode, probeEntry!.Key.Line),
                ProbeNode = probeNode,
                IsKubeadm = IsKubeadmPod(root),
            };

            List<YScalar> ReadList(YEntry? entry, string key)
            {
                switch (entry?.Value)
                {
                    case null:
                    case YScalar { IsNull: true }:
                        return [];
                    case YSequence sequence:
                        var list = new List<YScalar>();
                        foreach (var item in sequence.Items)
                        {
                            if (item is not YScalar scalar)
                            {
                                throw Fail(ManifestErrorCode.UnsupportedLayout, item, $"an item of {key} is not a plain string (an alias, a list or a mapping)");
                            }

                            list.Add(scalar);
                        }

                        return list;
                    default:
                        throw Fail(ManifestErrorCode.UnsupportedLayout, entry.Value, $"{key} is not a list");
                }
            }
        }

        private static bool IsEtcdExecutable(string value) => Path.GetFileName(value) == "etcd";

        private static bool IsKubeadmPod(YMapping root)
        {
            if (root.Get("metadata") is not YMapping metadata)
            {
                return false;
            }

            var annotations = metadata.Get("annotations") as YMapping;
            var labels = metadata.Get("labels") as YMapping;
            return annotations?.Entries.Any(e => e.Key is YScalar { Value: var key } && key.StartsWith("kubeadm.kubernetes.io/", StringComparison.Ordinal)) == true
                || (labels?.GetScalar("component") == "etcd" && labels.GetScalar("tier") == "control-plane");
        }

        private static LivenessProbe ReadProbe(YMapping probe, int line)
        {
            int Read(string key, int fallback) =>
                probe.GetScalar(key) is { } text && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

            return new LivenessProbe(Read("failureThreshold", 3), Read("periodSeconds", 10), Read("timeoutSeconds", 1), Read("initialDelaySeconds", 0), line);
        }
    }
}
