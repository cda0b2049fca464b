using System.Text;

namespace EtcdMaintenance.Manifests.Yaml;

/// <summary>Replace the characters [<see cref="Start"/>, <see cref="End"/>) of a text with <see cref="Replacement"/>.</summary>
internal readonly record struct TextEdit(int Start, int End, string Replacement)
{
    public static TextEdit Insert(int at, string text) => new(at, at, text);

    public static TextEdit Delete(int start, int end) => new(start, end, string.Empty);

    /// <summary>Applies non-overlapping edits. Insertions at the same offset keep their given order.</summary>
    public static string Apply(string text, IEnumerable<TextEdit> edits)
    {
        var ordered = edits.Select((edit, index) => (edit, index)).OrderBy(e => e.edit.Start).ThenBy(e => e.index).Select(e => e.edit).ToList();
        var builder = new StringBuilder(text.Length + ordered.Sum(e => e.Replacement.Length));
        var position = 0;
        foreach (var edit in ordered)
        {
            if (edit.Start < position || edit.End < edit.Start || edit.End > text.Length)
            {
                throw new InvalidOperationException($"Overlapping or out-of-range edit [{edit.Start}, {edit.End}) at {position}.");
            }

            builder.Append(text, position, edit.Start - position).Append(edit.Replacement);
            position = edit.End;
        }

        return builder.Append(text, position, text.Length - position).ToString();
    }
}
