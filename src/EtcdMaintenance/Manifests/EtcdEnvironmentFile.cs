using System.Text;
using System.Text.RegularExpressions;
using EtcdMaintenance.Manifests.Yaml;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// A systemd environment file that configures etcd (kubespray's <c>/etc/etcd.env</c>, the unit's <c>EnvironmentFile=</c>):
/// one <c>ETCD_NAME=value</c> line per flag, which etcd reads as <c>--name</c> (<c>ETCD_QUOTA_BACKEND_BYTES</c> is
/// <c>--quota-backend-bytes</c>). Read and edited in place: an edit changes only the value of that variable (keeping its
/// quoting) or appends one line; comments, blank lines, order, other variables and line endings stay byte for byte.
/// </summary>
/// <remarks>
/// Lines are read as systemd reads them: <c>#</c> and <c>;</c> start comment lines, a value is plain (surrounding blanks
/// dropped), in double quotes (with <c>\"</c> and <c>\\</c> escapes) or in single quotes. Variables other than
/// <c>ETCD_*</c> are kept and never edited. A value continued over several lines is refused.
/// </remarks>
public sealed partial class EtcdEnvironmentFile : EtcdFlagFile
{
    private const string Prefix = "ETCD_";

    private readonly IReadOnlyList<Assignment> _assignments;

    private EtcdEnvironmentFile(DocumentOrigin origin, string text, IReadOnlyList<ManifestNotice> editNotices, IReadOnlyList<Assignment> assignments, IReadOnlyList<ManifestFlag> flags)
        : base(origin, text, [.. DuplicateNotices(flags, "the variable for")], editNotices, flags)
    {
        _assignments = assignments;
    }

    /// <inheritdoc />
    public override EtcdFlagFileKind Kind => EtcdFlagFileKind.EnvironmentFile;

    /// <inheritdoc />
    public override string Description => "systemd environment file (ETCD_* variables)";

    /// <summary>Loads an environment file.</summary>
    /// <param name="path">E.g. <c>/etc/etcd.env</c>.</param>
    /// <exception cref="ManifestException"><see cref="ManifestErrorCode.NotAnEnvironmentFile"/>, naming the line.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static new EtcdEnvironmentFile Load(string path) => Create(DocumentOrigin.FromFile(path), null, []);

    /// <summary>Parses an environment file from text.</summary>
    /// <param name="text">The file's text.</param>
    /// <param name="sourceName">A name for messages and diffs.</param>
    /// <exception cref="ManifestException"><see cref="ManifestErrorCode.NotAnEnvironmentFile"/>, naming the line.</exception>
    public static new EtcdEnvironmentFile Parse(string text, string? sourceName = null) => Create(DocumentOrigin.FromText(text, sourceName), null, []);

    /// <summary>The environment variable etcd reads for a flag: <c>quota-backend-bytes</c> is <c>ETCD_QUOTA_BACKEND_BYTES</c>.</summary>
    /// <param name="flag">The flag name (leading dashes ignored).</param>
    public static string VariableOf(string flag) => Prefix + EtcdFlagSyntax.Normalize(flag, nameof(flag)).Replace('-', '_').ToUpperInvariant();

    /// <summary>Whether the text reads as an environment file (every line a comment, blank or <c>NAME=value</c>, one of them <c>ETCD_*</c>).</summary>
    internal static bool LooksLike(string text)
    {
        try
        {
            return Read(text, "<text>").Any(a => a.Flag is not null);
        }
        catch (ManifestException)
        {
            return false;
        }
    }

    internal static EtcdEnvironmentFile FromOrigin(DocumentOrigin origin) => Create(origin, null, []);

    private protected override EtcdEnvironmentFile Rebuild(string text, IReadOnlyList<ManifestNotice> notices) => Create(Origin, text, notices);

    private protected override IReadOnlyList<TextEdit> PlanSet(string name, string? value)
    {
        var text = value ?? "true";
        if (_assignments.LastOrDefault(a => a.Flag == name) is { } existing)
        {
            return [new TextEdit(existing.ValueStart, existing.ValueEnd, Format(text, existing.Quote))];
        }

        var newline = Text.Contains("\r\n", StringComparison.Ordinal) ? "\r\n" : "\n";
        var separator = Text.Length == 0 || Text.EndsWith('\n') ? string.Empty : newline;
        return [TextEdit.Insert(Text.Length, $"{separator}{VariableOf(name)}={Format(text, NeedsQuotes(text) ? '"' : null)}{newline}")];
    }

    private protected override IReadOnlyList<TextEdit> PlanRemove(string name) =>
        [.. _assignments.Where(a => a.Flag == name).Select(a => TextEdit.Delete(a.LineStart, a.LineEnd))];

    private static bool NeedsQuotes(string value) => value.Length == 0 || value.Any(c => char.IsWhiteSpace(c) || c is '"' or '\'' or '\\' or '#' or ';' or '$' or '`');

    private static string Format(string value, char? quote) => quote switch
    {
        '"' => '"' + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + '"',
        '\'' when !value.Contains('\'', StringComparison.Ordinal) => $"'{value}'",
        '\'' => Format(value, '"'),
        _ => NeedsQuotes(value) ? Format(value, '"') : value,
    };

    private static EtcdEnvironmentFile Create(DocumentOrigin origin, string? text, IReadOnlyList<ManifestNotice> editNotices)
    {
        text ??= origin.Text;
        var assignments = Read(text, origin.SourceName);
        if (!assignments.Any(a => a.Flag is not null))
        {
            throw ManifestException.Create(ManifestErrorCode.NotAnEnvironmentFile, origin.SourceName, null, null, null,
                "the file sets none of etcd's ETCD_* variables");
        }

        var flags = assignments.Where(a => a.Flag is not null).Select(a => new ManifestFlag(a.Flag!, a.Value, ManifestFlagSyntax.EnvironmentVariable, a.Line));
        return new EtcdEnvironmentFile(origin, text, editNotices, assignments, MarkEffective(flags));
    }

    private static List<Assignment> Read(string text, string sourceName)
    {
        var assignments = new List<Assignment>();
        var start = 0;
        for (var line = 1; start < text.Length; line++)
        {
            var end = text.IndexOf('\n', start);
            var lineEnd = end < 0 ? text.Length : end + 1;
            var content = text[start..(end < 0 ? text.Length : end)].TrimEnd('\r');
            var trimmed = content.TrimStart();
            if (trimmed.Length > 0 && trimmed[0] is not ('#' or ';'))
            {
                var match = AssignmentPattern().Match(content);
                if (!match.Success)
                {
                    throw ManifestException.Create(ManifestErrorCode.NotAnEnvironmentFile, sourceName, line, null, null,
                        "the line is not NAME=value, a comment or blank");
                }

                var raw = match.Groups["value"];
                var (value, quote) = Unquote(raw.Value, sourceName, line);
                var variable = match.Groups["name"].Value;
                var flag = variable.StartsWith(Prefix, StringComparison.Ordinal) && variable.Length > Prefix.Length
                    ? variable[Prefix.Length..].ToLowerInvariant().Replace('_', '-')
                    : null;
                assignments.Add(new Assignment(flag, value, quote, line, start, lineEnd, start + raw.Index, start + raw.Index + raw.Length));
            }

            start = lineEnd;
        }

        return assignments;
    }

    private static (string Value, char? Quote) Unquote(string raw, string sourceName, int line)
    {
        if (raw.Length == 0 || raw[0] is not ('"' or '\''))
        {
            if (raw.EndsWith('\\'))
            {
                throw ManifestException.Create(ManifestErrorCode.NotAnEnvironmentFile, sourceName, line, null, null, "the value is continued on the next line; join it into one line to edit the file");
            }

            return (raw, null);
        }

        var quote = raw[0];
        if (raw.Length < 2 || raw[^1] != quote || (quote == '"' && IsEscaped(raw, raw.Length - 1)))
        {
            throw ManifestException.Create(ManifestErrorCode.NotAnEnvironmentFile, sourceName, line, null, null,
                $"the value opens a {(quote == '"' ? "double" : "single")} quote it does not close on the same line");
        }

        var inner = raw[1..^1];
        if (quote == '\'')
        {
            return (inner, quote);
        }

        var builder = new StringBuilder(inner.Length);
        for (var i = 0; i < inner.Length; i++)
        {
            builder.Append(inner[i] == '\\' && i + 1 < inner.Length ? inner[++i] : inner[i]);
        }

        return (builder.ToString(), quote);
    }

    private static bool IsEscaped(string text, int index)
    {
        var backslashes = 0;
        for (var i = index - 1; i > 0 && text[i] == '\\'; i--)
        {
            backslashes++;
        }

        return backslashes % 2 == 1;
    }

    [GeneratedRegex(@"^\s*(?<name>[A-Za-z_][A-Za-z0-9_]*)[ \t]*=[ \t]*(?<value>.*?)[ \t]*$", RegexOptions.CultureInvariant)]
    private static partial Regex AssignmentPattern();

    /// <summary>One <c>NAME=value</c> line: the flag it sets (for an <c>ETCD_*</c> variable), and where its value and line are.</summary>
    private sealed record Assignment(string? Flag, string Value, char? Quote, int Line, int LineStart, int LineEnd, int ValueStart, int ValueEnd);
}
