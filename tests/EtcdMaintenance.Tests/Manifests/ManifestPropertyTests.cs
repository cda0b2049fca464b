using System.Text;
using System.Text.RegularExpressions;
using EtcdMaintenance.Manifests;
using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Manifests;

/// <summary>
/// Properties over random manifests: flag sets with every syntax, quoting style, comment placement, indentation, line
/// ending and byte-order mark. The generator renders the text itself and remembers which lines hold which flag, so the
/// checks do not rely on the code under test to say what changed.
/// </summary>
public sealed partial class ManifestPropertyTests
{
    private static readonly string[] s_valuedNames =
        ["name", "data-dir", "quota-backend-bytes", "snapshot-count", "initial-cluster", "listen-client-urls", "log-level", "auto-compaction-retention", "x-custom-setting"];

    private static readonly string[] s_booleanNames = ["client-cert-auth", "peer-client-cert-auth", "enable-pprof", "strict-reconfig-check"];

    private static readonly string[] s_values =
    [
        "a", "n1", "/var/lib/etcd", "1000", "2147483648", "https://10.0.0.1:2379", "n1=https://10.0.0.1:2380,n2=https://10.0.0.2:2380",
        "1h", "info", "it's", "say \"hi\"", "a b", "C:\\x", "true", "x:y", "{a}", "[b]", "@at", "%p", "*star", "yes", "~", "a: b", "x #y", "0x1F", "1e3",
    ];

    private static readonly Config s_config = Config.QuickThrowOnFailure.WithMaxTest(300).WithQuietOnSuccess(true);

    public enum Syntax
    {
        Joined,
        Separate,
        Bare,
    }

    public enum Quote
    {
        Plain,
        SingleQuoted,
        DoubleQuoted,
    }

    public enum Decoration
    {
        None,
        CommentBefore,
        TrailingComment,
        BlankBefore,
        CommentedOutBefore,
    }

    public sealed record FlagModel(string Name, string? Value, Syntax Syntax, Quote NameQuote, Quote ValueQuote, Decoration Decoration)
    {
        public string EffectiveValue => Value ?? "true";
    }

    public sealed record ManifestModel(FlagModel[] Flags, bool ArgsStyle, int ContainerIndent, int SequenceOffset, string Gap, bool Crlf, bool Bom)
    {
        public override string ToString() => $"{(ArgsStyle ? "args" : "command")} indent={ContainerIndent} offset={SequenceOffset} gap='{Gap}' crlf={Crlf} bom={Bom} flags=[{string.Join("; ", Flags.Select(f => f.ToString()))}]";
    }

    public sealed record Edit(ManifestModel Manifest, string Name, string Value)
    {
        public override string ToString() => $"set {Name}={Value} on {Manifest}";
    }

    /// <summary>A rendered manifest: its text (without BOM) and, per flag, the 0-based lines of its items.</summary>
    private sealed record Rendered(string Text, List<int[]> FlagLines, int AnchorLine)
    {
        public string[] Lines => Text.Split('\n');
    }

    private static Gen<FlagModel> FlagGen =>
        Gen.OneOf(
            from name in Gen.Elements(s_valuedNames)
            from value in Gen.Elements(s_values)
            from syntax in Gen.Elements(Syntax.Joined, Syntax.Joined, Syntax.Separate)
            from nameQuote in Gen.Elements(Quote.Plain, Quote.Plain, Quote.SingleQuoted, Quote.DoubleQuoted)
            from valueQuote in Gen.Elements(Quote.Plain, Quote.SingleQuoted, Quote.DoubleQuoted)
            from decoration in DecorationGen
            select new FlagModel(name, value, syntax, nameQuote, valueQuote, decoration),
            from name in Gen.Elements(s_booleanNames)
            from value in Gen.Elements<string?>(null, "true", "false")
            from nameQuote in Gen.Elements(Quote.Plain, Quote.Plain, Quote.DoubleQuoted)
            from decoration in DecorationGen
            select new FlagModel(name, value, value is null ? Syntax.Bare : Syntax.Joined, nameQuote, Quote.Plain, decoration));

    private static Gen<Decoration> DecorationGen =>
        Gen.Elements(Decoration.None, Decoration.None, Decoration.None, Decoration.CommentBefore, Decoration.TrailingComment, Decoration.BlankBefore, Decoration.CommentedOutBefore);

    private static Gen<ManifestModel> ManifestGen =>
        from count in Gen.Choose(0, 12)
        from flags in FlagGen.ArrayOf(count)
        from argsStyle in Gen.Elements(false, true)
        from containerIndent in Gen.Elements(0, 2)
        from sequenceOffset in Gen.Elements(0, 2)
        from gap in Gen.Elements(" ", " ", "   ")
        from crlf in Gen.Elements(false, true)
        from bom in Gen.Elements(false, true)
        select new ManifestModel(flags, argsStyle, containerIndent, sequenceOffset, gap, crlf, bom);

    private static Arbitrary<Edit> EditArb =>
        (from manifest in ManifestGen
         from name in Gen.Elements(s_valuedNames.Concat(s_booleanNames).ToArray())
         from value in s_booleanNames.Contains(name) ? Gen.Elements("true", "false") : Gen.Elements(s_values)
         select new Edit(manifest, name, value)).ToArbitrary();

    [Fact]
    public void Parse_RandomManifest_ReadsEveryFlagAsWritten()
    {
        Check.One(s_config, Prop.ForAll(ManifestGen.ToArbitrary(), model =>
        {
            var rendered = Render(model);
            var manifest = EtcdManifest.Parse(Full(model, rendered));

            Assert.Equal(model.Bom, manifest.HasByteOrderMark);
            Assert.Equal(
                model.Flags.Select(f => (f.Name, f.Value, (int)f.Syntax)),
                manifest.Flags.Select(f => (f.Name, f.Value, f.Syntax switch { ManifestFlagSyntax.Joined => 0, ManifestFlagSyntax.Separate => 1, _ => 2 })));
            Assert.Equal(rendered.FlagLines.Select(l => l[0] + 1), manifest.Flags.Select(f => f.Line));
        }));
    }

    [Fact]
    public void SetFlag_RandomManifest_GetReturnsTheValue()
    {
        Check.One(s_config, Prop.ForAll(EditArb, edit =>
        {
            var manifest = EtcdManifest.Parse(Full(edit.Manifest, Render(edit.Manifest)));

            var edited = manifest.SetFlag(edit.Name, edit.Value, force: true);

            Assert.Equal(edit.Value, edited.GetFlag(edit.Name));
            Assert.Equal(edit.Manifest.Bom, edited.HasByteOrderMark);
        }));
    }

    [Fact]
    public void SetFlag_RandomManifest_BytesOutsideTheEditedItemsAreUnchanged()
    {
        Check.One(s_config, Prop.ForAll(EditArb, edit =>
        {
            var rendered = Render(edit.Manifest);
            var manifest = EtcdManifest.Parse(Full(edit.Manifest, rendered));
            var before = rendered.Lines;

            var after = manifest.SetFlag(edit.Name, edit.Value, force: true).Text.Split('\n');

            var last = Array.FindLastIndex(edit.Manifest.Flags, f => f.Name == edit.Name);
            if (last >= 0)
            {
                // Changed in place: same number of lines, only the occurrence's own lines differ, their dash prefix and comment kept.
                var touched = rendered.FlagLines[last];
                Assert.Equal(before.Length, after.Length);
                for (var i = 0; i < before.Length; i++)
                {
                    if (!touched.Contains(i))
                    {
                        Assert.Equal(before[i], after[i]);
                    }
                    else
                    {
                        Assert.Equal(DashPrefix(before[i]), DashPrefix(after[i]));
                        Assert.Equal(TrailingComment(before[i]), TrailingComment(after[i]));
                    }
                }
            }
            else
            {
                // Added: one or two lines right after the anchor, with the anchor's indentation; every old line kept in order.
                var added = after.Length - before.Length;
                Assert.InRange(added, 1, 2);
                var anchor = rendered.AnchorLine;
                Assert.Equal(before.Take(anchor + 1), after.Take(anchor + 1));
                Assert.Equal(before.Skip(anchor + 1), after.Skip(anchor + 1 + added));
                foreach (var line in after.Skip(anchor + 1).Take(added))
                {
                    Assert.Matches(@"^ *-( +)\S", line);
                    if (edit.Manifest.Flags.Length > 0)
                    {
                        Assert.Equal(DashPrefix(before[anchor]), DashPrefix(line));
                    }
                }

                // Two items copy a --name value style, except for a boolean flag, which etcd reads only as --name=value.
                var separateStyle = edit.Manifest.Flags.LastOrDefault(f => f.Syntax != Syntax.Bare)?.Syntax == Syntax.Separate;
                Assert.Equal(added == 2, separateStyle && !s_booleanNames.Contains(edit.Name));
            }
        }));
    }

    [Fact]
    public void SetFlag_Twice_IsTheSameAsOnce()
    {
        Check.One(s_config, Prop.ForAll(EditArb, edit =>
        {
            var manifest = EtcdManifest.Parse(Full(edit.Manifest, Render(edit.Manifest)));

            var once = manifest.SetFlag(edit.Name, edit.Value, force: true);
            var twice = once.SetFlag(edit.Name, edit.Value, force: true);

            Assert.Equal(once.Text, twice.Text);
        }));
    }

    [Fact]
    public void RemoveFlag_RandomManifest_RemovesExactlyTheItemLinesOfEveryOccurrence()
    {
        Check.One(s_config, Prop.ForAll(EditArb, edit =>
        {
            var rendered = Render(edit.Manifest);
            var manifest = EtcdManifest.Parse(Full(edit.Manifest, rendered));

            var removed = manifest.RemoveFlag(edit.Name);

            var dropped = edit.Manifest.Flags.Select((f, i) => (f, i)).Where(p => p.f.Name == edit.Name).SelectMany(p => rendered.FlagLines[p.i]).ToHashSet();
            Assert.Equal(rendered.Lines.Where((_, i) => !dropped.Contains(i)), removed.Text.Split('\n'));
            Assert.False(removed.HasFlag(edit.Name));
        }));
    }

    [Fact]
    public void RemoveThenSet_RandomManifest_RestoresAnEquivalentManifest()
    {
        Check.One(s_config, Prop.ForAll(EditArb, edit =>
        {
            var manifest = EtcdManifest.Parse(Full(edit.Manifest, Render(edit.Manifest)));

            var removed = manifest.RemoveFlag(edit.Name);
            var restored = removed.SetFlag(edit.Name, edit.Value, force: true);
            var setDirectly = manifest.SetFlag(edit.Name, edit.Value, force: true);

            // Same effective flags as setting directly, and nothing else moved: removing the flag again gives the same bytes.
            foreach (var name in s_valuedNames.Concat(s_booleanNames))
            {
                Assert.Equal(setDirectly.GetFlag(name), restored.GetFlag(name));
            }

            Assert.Equal(setDirectly.Flags.Select(f => f.Name).ToHashSet(), restored.Flags.Select(f => f.Name).ToHashSet());
            Assert.Equal(removed.Text, restored.RemoveFlag(edit.Name).Text);
        }));
    }

    [GeneratedRegex(@"^ *- +")]
    private static partial Regex DashPrefixPattern();

    private static string DashPrefix(string line) => DashPrefixPattern().Match(line).Value;

    private static string? TrailingComment(string line)
    {
        var at = line.IndexOf("  # trailing", StringComparison.Ordinal);
        return at < 0 ? null : line[at..];
    }

    private static string Full(ManifestModel model, Rendered rendered) => (model.Bom ? "\uFEFF" : string.Empty) + rendered.Text;

    /// <summary>Renders a model as a Pod manifest; items of the etcd flag list sit at <c>ContainerIndent + 2 + SequenceOffset</c>.</summary>
    private static Rendered Render(ManifestModel model)
    {
        var lines = new List<string>();
        var flagLines = new List<int[]>();
        var containerDash = new string(' ', 2 + model.ContainerIndent);
        var container = containerDash + "  ";
        var item = container + new string(' ', model.SequenceOffset);
        var dash = item + "-" + model.Gap;
        lines.AddRange(["# generated", "apiVersion: v1", "kind: Pod", "metadata:", "  name: etcd", "spec:", "  containers:"]);
        lines.Add(containerDash + "- name: sidecar");
        lines.Add(container + "args: [\"-g\", \"daemon off;\"]");
        lines.Add(containerDash + "- name: etcd");
        lines.Add(container + "image: registry.k8s.io/etcd:3.5.9-0");
        lines.Add(container + "command:");
        lines.Add(dash + "etcd");
        var anchor = lines.Count - 1;
        if (model.ArgsStyle)
        {
            lines.Add(container + "args:");
            anchor = lines.Count - 1;
        }

        foreach (var flag in model.Flags)
        {
            switch (flag.Decoration)
            {
                case Decoration.CommentBefore: lines.Add(item + "# about " + flag.Name); break;
                case Decoration.BlankBefore: lines.Add(string.Empty); break;
                case Decoration.CommentedOutBefore: lines.Add(item + "#- --debug=true"); break;
            }

            var trailing = flag.Decoration == Decoration.TrailingComment ? "  # trailing note" : string.Empty;
            var name = "--" + flag.Name;
            if (flag.Syntax == Syntax.Separate)
            {
                lines.Add(dash + Scalar(name, flag.NameQuote));
                lines.Add(dash + Scalar(flag.Value!, flag.ValueQuote) + trailing);
                flagLines.Add([lines.Count - 2, lines.Count - 1]);
            }
            else
            {
                lines.Add(dash + Scalar(flag.Value is null ? name : $"{name}={flag.Value}", flag.NameQuote) + trailing);
                flagLines.Add([lines.Count - 1]);
            }

            anchor = lines.Count - 1;
        }

        lines.AddRange([container + "livenessProbe:", container + "  failureThreshold: 8", container + "volumeMounts:", container + "- mountPath: /var/lib/etcd", container + "  name: data"]);
        lines.AddRange(["  volumes:", "  - name: data", "    hostPath:", "      path: /var/lib/etcd", "# end", string.Empty]);
        var newline = model.Crlf ? "\r\n" : "\n";
        var text = string.Join(newline, lines);

        // Lines are compared split on \n, so with CRLF each keeps its \r.
        return new Rendered(text, flagLines, anchor);
    }

    [GeneratedRegex(@"^[A-Za-z0-9/_.=,-][A-Za-z0-9/_.:=,-]*$")]
    private static partial Regex SimplePlain();

    /// <summary>Writes a scalar in the asked style, or double-quoted when plain would not read back as the same text.</summary>
    private static string Scalar(string text, Quote quote)
    {
        if (quote == Quote.Plain && SimplePlain().IsMatch(text) && !text.EndsWith(':'))
        {
            return text;
        }

        if (quote == Quote.SingleQuoted)
        {
            return "'" + text.Replace("'", "''", StringComparison.Ordinal) + "'";
        }

        var builder = new StringBuilder("\"");
        foreach (var c in text)
        {
            builder.Append(c switch { '"' => "\\\"", '\\' => "\\\\", _ => c.ToString() });
        }

        return builder.Append('"').ToString();
    }
}
