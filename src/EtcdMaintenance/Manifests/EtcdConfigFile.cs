using EtcdMaintenance.Manifests.Yaml;
using YamlDotNet.Core;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// etcd's own configuration file (the file <c>--config-file</c> names): a YAML mapping whose top-level keys are etcd's
/// flag names without dashes (<c>quota-backend-bytes: 8589934592</c>), read and edited in place like a manifest's flags.
/// </summary>
/// <remarks>
/// Numeric keys (<c>quota-backend-bytes</c>, <c>snapshot-count</c>...) and boolean keys are written plain, because etcd
/// reads them as numbers and booleans; other values keep the quoting they have, and new ones are quoted only when YAML
/// would otherwise read them as something other than a string. Nested sections (<c>client-transport-security</c>) and
/// list values are read but not edited.
/// </remarks>
public sealed class EtcdConfigFile : EtcdFlagFile
{
    /// <summary>Keys etcd reads as integers.</summary>
    private static readonly HashSet<string> s_integerKeys = new(StringComparer.Ordinal)
    {
        "quota-backend-bytes", "snapshot-count", "heartbeat-interval", "election-timeout", "max-snapshots", "max-wals",
        "max-txn-ops", "max-request-bytes", "max-concurrent-streams", "backend-batch-limit", "experimental-compaction-batch-limit",
        "auth-token-ttl", "bcrypt-cost", "experimental-snapshot-catchup-entries", "experimental-max-learners",
        "snapshot-catchup-entries", "max-learners", "compaction-batch-limit",
    };

    private readonly YMapping _root;

    private EtcdConfigFile(DocumentOrigin origin, string text, IReadOnlyList<ManifestNotice> editNotices, YMapping root, IReadOnlyList<ManifestFlag> flags)
        : base(origin, text, [], editNotices, flags)
    {
        _root = root;
    }

    /// <summary>Loads an etcd configuration file.</summary>
    /// <param name="path">E.g. <c>/etc/etcd/etcd.conf.yml</c>.</param>
    /// <exception cref="ManifestException">The file is not an etcd configuration file, naming the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static new EtcdConfigFile Load(string path) => Create(DocumentOrigin.FromFile(path), null, []);

    /// <summary>Parses an etcd configuration file from text.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="sourceName">A name for messages and diffs.</param>
    /// <exception cref="ManifestException">The text is not an etcd configuration file, naming the line.</exception>
    public static new EtcdConfigFile Parse(string text, string? sourceName = null) => Create(DocumentOrigin.FromText(text, sourceName), null, []);

    /// <inheritdoc />
    public override EtcdFlagFileKind Kind => EtcdFlagFileKind.EtcdConfigFile;

    /// <inheritdoc />
    public override string Description => "etcd configuration file";

    internal static EtcdConfigFile FromOrigin(DocumentOrigin origin) => Create(origin, null, []);

    private protected override EtcdConfigFile Rebuild(string text, IReadOnlyList<ManifestNotice> notices) => Create(Origin, text, notices);

    private protected override string? NormalizeValue(string name, string? value)
    {
        value ??= "true";
        if (EtcdFlagSyntax.IsBoolean(name) && value is not ("true" or "false"))
        {
            throw new ArgumentException($"{name} is a boolean in etcd's configuration file; write true or false, not '{value}'.", nameof(value));
        }

        return value;
    }

    private protected override IReadOnlyList<TextEdit> PlanSet(string name, string? value)
    {
        var layout = new BlockLayout(Text);
        var typed = s_integerKeys.Contains(name) || EtcdFlagSyntax.IsBoolean(name);
        if (_root.Find(name) is { } entry)
        {
            if (entry.Value is not YScalar { HasProperties: false } scalar || _root.IsFlow)
            {
                throw Unsupported(entry.Value, name, "the value is a list, a section or has an anchor or tag; edit it by hand");
            }

            var keepPlain = scalar.Style == ScalarStyle.Plain && !scalar.IsNull && !ScalarText.ResolvesToString(scalar.Value);
            var text = typed ? value! : ScalarText.Format(value!, scalar.IsNull ? ScalarStyle.Plain : scalar.Style, mustReadAsString: !keepPlain);
            return scalar.Value.Length == 0 && scalar.Style == ScalarStyle.Plain
                ? [TextEdit.Insert(scalar.Start, (scalar.Start > 0 && layout.Text[scalar.Start - 1] == ' ' ? string.Empty : " ") + text)]
                : [BlockEdits.ReplaceScalar(layout, scalar, text)];
        }

        var line = $"{name}: {(typed ? value : ScalarText.Format(value!, ScalarStyle.Plain, mustReadAsString: true))}";
        if (_root.IsFlow)
        {
            throw Unsupported(_root, name, "the file is a flow mapping ({a: b}); rewrite it as a block mapping to edit it");
        }

        return [BlockEdits.AppendToMapping(layout, _root, [line])];
    }

    private protected override IReadOnlyList<TextEdit> PlanRemove(string name)
    {
        var layout = new BlockLayout(Text);
        var entry = _root.Find(name)!;
        if (_root.IsFlow)
        {
            throw Unsupported(_root, name, "the file is a flow mapping ({a: b}); rewrite it as a block mapping to edit it");
        }

        var lines = layout.EntryLines(entry) ?? throw Unsupported(entry.Key, name, "the key does not start its own line");
        return [layout.DeleteLines(lines.Start, lines.End)];
    }

    private ManifestException Unsupported(YNode node, string flag, string what) =>
        ManifestException.Create(ManifestErrorCode.UnsupportedLayout, SourceName, node.Line, node.Column, flag, what);

    private static EtcdConfigFile Create(DocumentOrigin origin, string? text, IReadOnlyList<ManifestNotice> editNotices)
    {
        text ??= origin.Text;
        var name = origin.SourceName;
        var documents = YamlTree.Parse(text, new YamlSource(name));
        if (documents.Count > 1)
        {
            throw ManifestException.Create(ManifestErrorCode.MultipleDocuments, name, documents[1].Line, documents[1].Column, null,
                $"the file holds {documents.Count} YAML documents; etcd's configuration file is one mapping");
        }

        var root = documents.Count == 0 ? null : documents[0] as YMapping;
        if (root is null)
        {
            // An empty file says nothing about what it is for: kubelet's empty etcd.yaml must not become a configuration file.
            throw documents.Count == 1 && documents[0] is not YScalar { IsNull: true }
                ? ManifestException.Create(ManifestErrorCode.NotAnEtcdConfigFile, name, documents[0].Line, documents[0].Column, null, "the document is not a mapping of etcd settings")
                : ManifestException.Create(ManifestErrorCode.NotAnEtcdConfigFile, name, null, null, null, "the file is empty: an etcd configuration file names at least one of etcd's settings");
        }

        if (root.GetScalar("kind") is { } kind && root.Get("apiVersion") is not null)
        {
            throw ManifestException.Create(ManifestErrorCode.NotAnEtcdConfigFile, name, root.Get("kind")!.Line, root.Get("kind")!.Column, null,
                $"the document is a Kubernetes {kind}, not etcd's configuration file ({(kind == "Pod" ? "use EtcdManifest" : "use KubeadmClusterConfiguration")})");
        }

        if (root.Entries.Count > 0 && !root.Entries.Any(e => e.Key is YScalar key && EtcdFlagTypes.IsKnown(key.Value)))
        {
            throw ManifestException.Create(ManifestErrorCode.NotAnEtcdConfigFile, name, root.Line, root.Column, null,
                $"none of the keys ({string.Join(", ", root.Entries.Select(e => e.Key).OfType<YScalar>().Take(5).Select(k => k.Value))}) is one of etcd's settings");
        }

        var flags = new List<ManifestFlag>();
        foreach (var entry in root.Entries)
        {
            if (entry.Key is not YScalar key)
            {
                continue;
            }

            var value = entry.Value switch
            {
                YScalar { IsNull: true } => string.Empty,
                YScalar scalar => scalar.Value,
                YSequence sequence when sequence.Items.All(i => i is YScalar) => string.Join(',', sequence.Items.Cast<YScalar>().Select(i => i.Value)),
                _ => null,
            };
            if (value is not null)
            {
                flags.Add(new ManifestFlag(key.Value, value, ManifestFlagSyntax.MappingEntry, key.Line));
            }
        }

        return new EtcdConfigFile(origin, text, editNotices, root, MarkEffective(flags));
    }
}
