using System.Globalization;
using System.Text.RegularExpressions;
using EtcdMaintenance.Manifests.Yaml;
using YamlDotNet.Core;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// kubeadm's <c>ClusterConfiguration</c>: the etcd flags kubeadm writes into <c>etcd.yaml</c> whenever it regenerates it
/// (on <c>kubeadm upgrade</c>), under <c>etcd.local.extraArgs</c> - a map in <c>kubeadm.k8s.io/v1beta3</c> and before, a
/// list of <c>name</c>/<c>value</c> items from <c>v1beta4</c>. A flag changed only in the manifest is lost at the next
/// upgrade; change it here too, with the same calls.
/// </summary>
/// <remarks>
/// Reads a file holding the <c>ClusterConfiguration</c> document (alone, or among the other documents of a
/// <c>kubeadm init --config</c> file), or the <c>kubeadm-config</c> ConfigMap as <c>kubectl -n kube-system get cm
/// kubeadm-config -o yaml</c> prints it, where the configuration is a literal block under <c>data.ClusterConfiguration</c>;
/// edits to the embedded document keep the block's indentation. Values are strings to kubeadm, so a value YAML would read
/// as a number or a boolean is written in double quotes (<c>quota-backend-bytes: "8589934592"</c>).
/// </remarks>
public sealed partial class KubeadmClusterConfiguration : EtcdFlagFile
{
    private readonly Model _model;

    private KubeadmClusterConfiguration(DocumentOrigin origin, string text, IReadOnlyList<ManifestNotice> editNotices, Model model)
        : base(origin, text, model.Notices, editNotices, model.Flags)
    {
        _model = model;
    }

    /// <summary>The configuration's <c>apiVersion</c>, e.g. <c>kubeadm.k8s.io/v1beta3</c>.</summary>
    public string ApiVersion => _model.ApiVersion;

    /// <summary>Whether <c>extraArgs</c> is a list of <c>name</c>/<c>value</c> items (<c>v1beta4</c> on) rather than a map.</summary>
    public bool UsesExtraArgsList => _model.ListStyle;

    /// <summary>Whether the configuration is embedded in the <c>kubeadm-config</c> ConfigMap (under <c>data.ClusterConfiguration</c>).</summary>
    public bool IsEmbeddedInConfigMap => _model.View.IsEmbedded;

    /// <summary>Loads a kubeadm configuration file or a saved <c>kubeadm-config</c> ConfigMap.</summary>
    /// <param name="path">The file.</param>
    /// <exception cref="ManifestException">No ClusterConfiguration is found, or it uses external etcd, naming the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static new KubeadmClusterConfiguration Load(string path) => Create(DocumentOrigin.FromFile(path), null, []);

    /// <summary>Parses a kubeadm configuration or a <c>kubeadm-config</c> ConfigMap from text.</summary>
    /// <param name="text">The text.</param>
    /// <param name="sourceName">A name for messages and diffs.</param>
    /// <exception cref="ManifestException">No ClusterConfiguration is found, or it uses external etcd, naming the line.</exception>
    public static new KubeadmClusterConfiguration Parse(string text, string? sourceName = null) => Create(DocumentOrigin.FromText(text, sourceName), null, []);

    /// <inheritdoc />
    public override EtcdFlagFileKind Kind => EtcdFlagFileKind.KubeadmClusterConfiguration;

    /// <inheritdoc />
    public override string Description => $"kubeadm {ApiVersion} ClusterConfiguration{(IsEmbeddedInConfigMap ? " in the kubeadm-config ConfigMap" : string.Empty)}, etcd.local.extraArgs";

    internal static KubeadmClusterConfiguration FromOrigin(DocumentOrigin origin) => Create(origin, null, []);

    private protected override KubeadmClusterConfiguration Rebuild(string text, IReadOnlyList<ManifestNotice> notices) => Create(Origin, text, notices);

    private protected override IReadOnlyList<TextEdit> PlanSet(string name, string? value)
    {
        var view = _model.View;
        var layout = view.Layout;
        var formatted = ScalarText.Format(value!, ScalarStyle.Plain, mustReadAsString: true);
        List<TextEdit> edits;
        if (_model.Entries.LastOrDefault(e => e.Name == name) is { } existing)
        {
            edits = [SetExisting(layout, existing, value!, name)];
        }
        else
        {
            var lines = _model.ListStyle ? new[] { $"- name: {name}", $"  value: {formatted}" } : [$"{name}: {formatted}"];
            edits = [.. AddNew(layout, name, lines)];
        }

        return [.. view.ToOuter(edits)];
    }

    private TextEdit SetExisting(BlockLayout layout, ExtraArg existing, string value, string name)
    {
        if (existing.Value is { } scalar)
        {
            if (scalar.HasProperties)
            {
                throw Unsupported(scalar, name, "the value has an anchor or a tag; edit it by hand");
            }

            var text = ScalarText.Format(value, scalar.IsNull ? ScalarStyle.Plain : scalar.Style, mustReadAsString: true);
            return scalar.Value.Length == 0 && scalar.Style == ScalarStyle.Plain
                ? TextEdit.Insert(scalar.Start, (scalar.Start > 0 && layout.Text[scalar.Start - 1] == ' ' ? string.Empty : " ") + text)
                : BlockEdits.ReplaceScalar(layout, scalar, text);
        }

        // A v1beta4 item with a name and no value: add the value after the name.
        return BlockEdits.AppendToMapping(layout, existing.Item!, [$"value: {ScalarText.Format(value, ScalarStyle.Plain, mustReadAsString: true)}"]);
    }

    private IEnumerable<TextEdit> AddNew(BlockLayout layout, string name, string[] lines)
    {
        var model = _model;
        var step = BlockEdits.MappingStep(layout, model.Root);
        var sequenceOffset = BlockEdits.SequenceOffset(layout, model.Root, 0);
        var childIndent = model.ListStyle ? sequenceOffset : step;

        if (model.ExtraArgs is { } extraArgs)
        {
            switch (extraArgs.Value)
            {
                case var empty when BlockEdits.IsEmptyValue(empty):
                    return BlockEdits.FillEmptyValue(layout, extraArgs, lines, childIndent);
                case YMapping { IsFlow: false } map when !model.ListStyle:
                    return [BlockEdits.AppendToMapping(layout, map, lines)];
                case YSequence { IsFlow: false, Items.Count: > 0 } list when model.ListStyle:
                    var last = list.Items[^1];
                    var dash = layout.DashOf(last) ?? throw Unsupported(last, name, "the last extraArgs item does not start its own line");
                    var gap = layout.GapAfterDash(last, dash);
                    var indent = layout.IndentOf(dash);
                    var item = $"{layout.Newline}{indent}-{gap}{lines[0][2..]}{layout.Newline}{indent} {gap}{lines[1].TrimStart()}";
                    return [TextEdit.Insert(layout.EndOfLastLine(last), item)];
                default:
                    throw Unsupported(extraArgs.Value, name, "extraArgs is a flow collection or has an unexpected shape; rewrite it in block style to edit it");
            }
        }

        // extraArgs is missing: add it (and etcd: / local: when they are missing too) under the deepest mapping present.
        var nested = new List<string> { "extraArgs:" };
        nested.AddRange(lines.Select(l => new string(' ', childIndent) + l));
        (YEntry? Entry, YMapping? Mapping)[] path = [(model.Local, model.Local?.Value as YMapping), (model.Etcd, model.Etcd?.Value as YMapping)];
        string[] parents = ["local:", "etcd:"];
        for (var level = 0; level < path.Length; level++)
        {
            var (entry, mapping) = path[level];
            if (entry is not null)
            {
                if (BlockEdits.IsEmptyValue(entry.Value))
                {
                    return BlockEdits.FillEmptyValue(layout, entry, nested, step);
                }

                if (mapping is { IsFlow: false, Entries.Count: > 0 })
                {
                    return [BlockEdits.AppendToMapping(layout, mapping, nested)];
                }

                throw Unsupported(entry.Value, name, $"{parents[level].TrimEnd(':')} is a flow mapping or not a mapping; rewrite it in block style to edit it");
            }

            nested = [parents[level], .. nested.Select(l => new string(' ', step) + l)];
        }

        if (model.Root.IsFlow)
        {
            throw Unsupported(model.Root, name, "the ClusterConfiguration is a flow mapping; rewrite it in block style to edit it");
        }

        return [BlockEdits.AppendToMapping(layout, model.Root, nested)];
    }

    private protected override IReadOnlyList<TextEdit> PlanRemove(string name)
    {
        var layout = _model.View.Layout;
        var edits = new List<TextEdit>();
        foreach (var entry in _model.Entries.Where(e => e.Name == name))
        {
            (int Start, int End)? lines = entry.Item is { } item ? layout.ItemLines(item) : layout.EntryLines(entry.Entry!);
            if (lines is not { } range || _model.ExtraArgs!.Value is YMapping { IsFlow: true } or YSequence { IsFlow: true })
            {
                throw Unsupported(entry.Node, name, "the entry does not start its own line or extraArgs is a flow collection; edit it by hand");
            }

            edits.Add(layout.DeleteLines(range.Start, range.End));
        }

        return [.. _model.View.ToOuter(edits)];
    }

    private ManifestException Unsupported(YNode node, string flag, string what) =>
        ManifestException.Create(ManifestErrorCode.UnsupportedLayout, SourceName, node.Line, node.Column, flag, what);

    [GeneratedRegex(@"^kubeadm\.k8s\.io/v1(beta([0-9]+))?$", RegexOptions.CultureInvariant)]
    private static partial Regex KubeadmApiVersion();

    private static KubeadmClusterConfiguration Create(DocumentOrigin origin, string? text, IReadOnlyList<ManifestNotice> editNotices)
    {
        text ??= origin.Text;
        return new KubeadmClusterConfiguration(origin, text, editNotices, Model.Read(text, origin.SourceName));
    }

    /// <summary>One extraArgs entry: a map entry (v1beta3) or a name/value item (v1beta4).</summary>
    private sealed record ExtraArg(string Name, YScalar? Value, YEntry? Entry, YMapping? Item, YNode Node);

    private sealed class Model
    {
        public required YamlView View { get; init; }

        public required YMapping Root { get; init; }

        public required string ApiVersion { get; init; }

        public required bool ListStyle { get; init; }

        public required YEntry? Etcd { get; init; }

        public required YEntry? Local { get; init; }

        public required YEntry? ExtraArgs { get; init; }

        public required IReadOnlyList<ExtraArg> Entries { get; init; }

        public required IReadOnlyList<ManifestFlag> Flags { get; init; }

        public required IReadOnlyList<ManifestNotice> Notices { get; init; }

        public static Model Read(string text, string name)
        {
            ManifestException Fail(ManifestErrorCode code, YNode? at, string what) =>
                ManifestException.Create(code, name, at?.Line, at?.Column, null, what);

            var documents = YamlTree.Parse(text, new YamlSource(name));
            var configurations = documents.OfType<YMapping>().Where(d => d.GetScalar("kind") == "ClusterConfiguration").ToList();
            YamlView view;
            YMapping root;
            if (configurations.Count > 1)
            {
                throw Fail(ManifestErrorCode.MultipleDocuments, configurations[1], "the file holds more than one ClusterConfiguration");
            }

            if (configurations.Count == 1)
            {
                view = YamlView.Whole(text);
                root = configurations[0];
            }
            else if (documents.OfType<YMapping>().FirstOrDefault(d => d.GetScalar("kind") == "ConfigMap" && d.Get("data") is YMapping data && data.Get("ClusterConfiguration") is not null) is { } configMap)
            {
                var embedded = ((YMapping)configMap.Get("data")!).Get("ClusterConfiguration")!;
                if (embedded is not YScalar { Style: ScalarStyle.Literal } block || YamlView.Embedded(text, block) is not { } inner)
                {
                    throw Fail(ManifestErrorCode.UnsupportedLayout, embedded, "data.ClusterConfiguration is not a literal block (|) with its indentation implied; edit it by hand");
                }

                view = inner;
                var innerDocuments = YamlTree.Parse(view.Text, new YamlSource(name, view.LineOffset));
                if (innerDocuments is not [YMapping innerRoot] || innerRoot.GetScalar("kind") != "ClusterConfiguration")
                {
                    throw Fail(ManifestErrorCode.NotAClusterConfiguration, embedded, "data.ClusterConfiguration does not hold one ClusterConfiguration document");
                }

                root = innerRoot;
            }
            else
            {
                throw Fail(ManifestErrorCode.NotAClusterConfiguration, documents.Count > 0 ? documents[0] : null,
                    "no kind: ClusterConfiguration document and no kubeadm-config ConfigMap holding one");
            }

            var apiVersion = root.GetScalar("apiVersion") ?? string.Empty;
            var version = KubeadmApiVersion().Match(apiVersion);
            if (!version.Success)
            {
                throw Fail(ManifestErrorCode.NotAClusterConfiguration, root.Get("apiVersion") ?? root, $"apiVersion '{apiVersion}' is not kubeadm's (kubeadm.k8s.io/v1beta3, v1beta4)");
            }

            var listStyle = !version.Groups[2].Success || int.Parse(version.Groups[2].Value, CultureInfo.InvariantCulture) >= 4;
            var etcd = root.Find("etcd");
            if (etcd?.Value is YMapping etcdMapping && etcdMapping.Find("external") is { Value: not YScalar { IsNull: true } } external)
            {
                throw Fail(ManifestErrorCode.ExternalEtcd, external.Key, "the cluster uses external etcd; kubeadm does not run it or manage its flags");
            }

            var local = (etcd?.Value as YMapping)?.Find("local");
            var extraArgs = (local?.Value as YMapping)?.Find("extraArgs");
            var entries = new List<ExtraArg>();
            switch (extraArgs?.Value)
            {
                case null:
                case var empty when BlockEdits.IsEmptyValue(empty):
                    break;
                case YMapping map when !listStyle:
                    foreach (var entry in map.Entries)
                    {
                        if (entry.Key is not YScalar key || entry.Value is not YScalar value)
                        {
                            throw Fail(ManifestErrorCode.UnsupportedLayout, entry.Value, "an extraArgs entry is not name: value");
                        }

                        entries.Add(new ExtraArg(key.Value, value, entry, null, key));
                    }

                    break;
                case YSequence list when listStyle:
                    foreach (var item in list.Items)
                    {
                        if (item is not YMapping pair || pair.GetScalar("name") is not { } argName || pair.Get("value") is not (null or YScalar))
                        {
                            throw Fail(ManifestErrorCode.UnsupportedLayout, item, "an extraArgs item is not a mapping with name and value");
                        }

                        entries.Add(new ExtraArg(argName, pair.Get("value") as YScalar, null, pair, pair));
                    }

                    break;
                default:
                    throw Fail(ManifestErrorCode.UnsupportedLayout, extraArgs.Value,
                        listStyle ? $"{apiVersion} expects extraArgs as a list of name/value items" : $"{apiVersion} expects extraArgs as a map of name: value");
            }

            var flags = MarkEffective(entries.Select(e => new ManifestFlag(e.Name, e.Value is { IsNull: false } v ? v.Value : string.Empty,
                listStyle ? ManifestFlagSyntax.NameValueItem : ManifestFlagSyntax.MappingEntry, e.Node.Line)));
            return new Model
            {
                View = view,
                Root = root,
                ApiVersion = apiVersion,
                ListStyle = listStyle,
                Etcd = etcd,
                Local = local,
                ExtraArgs = extraArgs,
                Entries = entries,
                Flags = flags,
                Notices = [.. DuplicateNotices(flags, "extraArgs")],
            };
        }
    }
}
