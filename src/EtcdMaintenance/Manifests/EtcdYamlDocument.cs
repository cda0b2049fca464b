using System.Text;

namespace EtcdMaintenance.Manifests;

/// <summary>
/// A YAML file this library edits in place: a static-pod manifest, an etcd configuration file, or a kubeadm configuration.
/// Immutable: every edit returns a new document holding the new text, and remembers the text as loaded so that
/// <see cref="GetDiff"/> shows everything changed since, and <see cref="ManifestFile.SaveAsync"/> can refuse to overwrite a
/// file that changed on disk meanwhile.
/// </summary>
/// <remarks>
/// Edits are spliced into the original text at spans located with YamlDotNet's parser; the document is never
/// re-serialized, so comments, key order, indentation, quoting, blank lines, line endings and a byte-order mark outside
/// the edited items stay byte for byte as they were.
/// </remarks>
public abstract class EtcdYamlDocument
{
    private protected EtcdYamlDocument(DocumentOrigin origin, string text, IReadOnlyList<ManifestNotice> readNotices, IReadOnlyList<ManifestNotice> editNotices)
    {
        Origin = origin;
        Text = text;
        EditNotices = editNotices;
        Notices = Merge(readNotices, editNotices);
    }

    /// <summary>The path the document was loaded from, or the name given to <c>Parse</c>; used in messages and diffs.</summary>
    public string SourceName => Origin.SourceName;

    /// <summary>The full path of the file the document was loaded from, or <see langword="null"/> when it was parsed from text.</summary>
    public string? FilePath => Origin.FilePath;

    /// <summary>The current text (without the byte-order mark, if the file has one).</summary>
    public string Text { get; }

    /// <summary>The text as loaded or parsed, before any edit.</summary>
    public string OriginalText => Origin.Text;

    /// <summary>Whether the file starts with a UTF-8 byte-order mark (kept when saving).</summary>
    public bool HasByteOrderMark => Origin.HasByteOrderMark;

    /// <summary>Whether the text differs from <see cref="OriginalText"/>.</summary>
    public bool IsModified => !string.Equals(Text, OriginalText, StringComparison.Ordinal);

    /// <summary>Warnings about the document as read, and warnings and advice from the edits made to it, in order.</summary>
    public IReadOnlyList<ManifestNotice> Notices { get; }

    internal DocumentOrigin Origin { get; }

    /// <summary>The notices edits added (kept across edits; the ones about the text itself are re-read from each new text).</summary>
    private protected IReadOnlyList<ManifestNotice> EditNotices { get; }

    /// <summary>
    /// The unified diff from <see cref="OriginalText"/> to <see cref="Text"/> (<c>--- a/NAME</c>, <c>+++ b/NAME</c>, hunks
    /// with 3 lines of context), or an empty string when nothing changed. Lines are shown without their line breaks.
    /// </summary>
    public string GetDiff() => UnifiedDiff.Create(OriginalText, Text, SourceName);

    /// <summary>The bytes to write: the byte-order mark when the file had one, then the text in UTF-8.</summary>
    internal byte[] ToBytes()
    {
        var body = Encoding.UTF8.GetBytes(Text);
        return HasByteOrderMark ? [0xEF, 0xBB, 0xBF, .. body] : body;
    }

    /// <summary>Adds notices, dropping exact repeats (setting the same value twice should not say the same thing twice).</summary>
    private protected static IReadOnlyList<ManifestNotice> Merge(IReadOnlyList<ManifestNotice> existing, IEnumerable<ManifestNotice> added)
    {
        var list = existing.ToList();
        foreach (var notice in added)
        {
            if (!list.Contains(notice))
            {
                list.Add(notice);
            }
        }

        return list.AsReadOnly();
    }
}

/// <summary>Where a document's text came from: a file (with the bytes read, to detect later changes on disk) or a string.</summary>
internal sealed class DocumentOrigin
{
    private static readonly UTF8Encoding s_strictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private DocumentOrigin(string sourceName, string? filePath, string text, byte[]? bytes, bool hasByteOrderMark)
    {
        SourceName = sourceName;
        FilePath = filePath;
        Text = text;
        Bytes = bytes;
        HasByteOrderMark = hasByteOrderMark;
    }

    public string SourceName { get; }

    public string? FilePath { get; }

    public string Text { get; }

    /// <summary>The file's bytes when loaded.</summary>
    public byte[]? Bytes { get; }

    public bool HasByteOrderMark { get; }

    public static DocumentOrigin FromFile(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var fullPath = Path.GetFullPath(path);
        var bytes = File.ReadAllBytes(fullPath);
        return new DocumentOrigin(path, fullPath, Decode(bytes, path), bytes, HasBom(bytes));
    }

    public static DocumentOrigin FromText(string text, string? sourceName)
    {
        ArgumentNullException.ThrowIfNull(text);
        var bom = text.StartsWith('\uFEFF');
        return new DocumentOrigin(sourceName ?? "<text>", null, bom ? text[1..] : text, null, bom);
    }

    private static bool HasBom(byte[] bytes) => bytes is [0xEF, 0xBB, 0xBF, ..];

    private static string Decode(byte[] bytes, string name)
    {
        if (bytes is [0xFF, 0xFE, ..] or [0xFE, 0xFF, ..])
        {
            throw ManifestException.Create(ManifestErrorCode.InvalidYaml, name, 1, 1, null, "the file is UTF-16; save it as UTF-8");
        }

        try
        {
            var skip = HasBom(bytes) ? 3 : 0;
            return s_strictUtf8.GetString(bytes, skip, bytes.Length - skip);
        }
        catch (DecoderFallbackException ex)
        {
            throw ManifestException.Create(ManifestErrorCode.InvalidYaml, name, null, null, null, "the file is not UTF-8 text", ex);
        }
    }
}
