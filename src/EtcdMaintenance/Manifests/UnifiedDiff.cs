using System.Globalization;
using System.Text;

namespace EtcdMaintenance.Manifests;

/// <summary>A line diff in unified format (<c>diff -u</c>): <c>---</c>/<c>+++</c> headers, <c>@@</c> hunks with 3 lines of context.</summary>
internal static class UnifiedDiff
{
    private const int Context = 3;

    /// <summary>Above this many cells the middle of two texts is shown as replaced wholesale rather than searched for common lines.</summary>
    private const long MaxTableCells = 4_000_000;

    private enum Op
    {
        Keep,
        Delete,
        Insert,
    }

    public static string Create(string oldText, string newText, string name)
    {
        if (string.Equals(oldText, newText, StringComparison.Ordinal))
        {
            return string.Empty;
        }

        var oldLines = Split(oldText);
        var newLines = Split(newText);
        var script = Script(oldLines, newLines);
        var label = name.TrimStart('/');
        var output = new StringBuilder().Append("--- a/").Append(label).Append('\n').Append("+++ b/").Append(label).Append('\n');

        // Group changes into hunks: a change joins the previous hunk when at most 2 x Context kept lines separate them.
        var changed = script.Select((step, index) => (step, index)).Where(s => s.step.Op != Op.Keep).Select(s => s.index).ToList();
        var hunkStart = 0;
        while (hunkStart < changed.Count)
        {
            var hunkEnd = hunkStart;
            while (hunkEnd + 1 < changed.Count && changed[hunkEnd + 1] - changed[hunkEnd] <= 2 * Context + 1)
            {
                hunkEnd++;
            }

            var from = Math.Max(0, changed[hunkStart] - Context);
            var to = Math.Min(script.Count - 1, changed[hunkEnd] + Context);
            WriteHunk(output, script, from, to, oldLines, newLines);
            hunkStart = hunkEnd + 1;
        }

        return output.ToString();
    }

    private static void WriteHunk(StringBuilder output, List<(Op Op, int Old, int New)> script, int from, int to, Lines oldLines, Lines newLines)
    {
        var steps = script.GetRange(from, to - from + 1);
        var oldCount = steps.Count(s => s.Op != Op.Insert);
        var newCount = steps.Count(s => s.Op != Op.Delete);

        // The first line of each side the hunk covers; for an empty side, the line before it (as diff writes it).
        var oldStart = steps.FirstOrDefault(s => s.Op != Op.Insert) is { Op: not Op.Insert } o && oldCount > 0 ? o.Old + 1 : OldBefore(script, from);
        var newStart = steps.FirstOrDefault(s => s.Op != Op.Delete) is { Op: not Op.Delete } n && newCount > 0 ? n.New + 1 : NewBefore(script, from);
        output.Append(CultureInfo.InvariantCulture, $"@@ -{oldStart},{oldCount} +{newStart},{newCount} @@\n");
        foreach (var (op, oldIndex, newIndex) in steps)
        {
            var (prefix, lines, index) = op switch
            {
                Op.Keep => (' ', oldLines, oldIndex),
                Op.Delete => ('-', oldLines, oldIndex),
                _ => ('+', newLines, newIndex),
            };
            output.Append(prefix).Append(lines.Text[index].TrimEnd('\r')).Append('\n');
            if (index == lines.Text.Count - 1 && !lines.EndsWithNewline)
            {
                output.Append("\\ No newline at end of file\n");
            }
        }
    }

    private static int OldBefore(List<(Op Op, int Old, int New)> script, int at) =>
        script.Take(at).Count(s => s.Op != Op.Insert);

    private static int NewBefore(List<(Op Op, int Old, int New)> script, int at) =>
        script.Take(at).Count(s => s.Op != Op.Delete);

    private sealed record Lines(List<string> Text, bool EndsWithNewline)
    {
        /// <summary>A line as compared: the last line without a line break differs from the same line with one.</summary>
        public string Key(int index) => index == Text.Count - 1 && !EndsWithNewline ? Text[index] + "\n" : Text[index];
    }

    private static Lines Split(string text)
    {
        if (text.Length == 0)
        {
            return new Lines([], true);
        }

        var lines = text.Split('\n').ToList();
        var endsWithNewline = text.EndsWith('\n');
        if (endsWithNewline)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        return new Lines(lines, endsWithNewline);
    }

    /// <summary>The edit script: common prefix and suffix kept, the middle aligned by a longest common subsequence.</summary>
    private static List<(Op Op, int Old, int New)> Script(Lines a, Lines b)
    {
        var n = a.Text.Count;
        var m = b.Text.Count;
        var prefix = 0;
        while (prefix < n && prefix < m && a.Key(prefix) == b.Key(prefix))
        {
            prefix++;
        }

        var suffix = 0;
        while (suffix < n - prefix && suffix < m - prefix && a.Key(n - 1 - suffix) == b.Key(m - 1 - suffix))
        {
            suffix++;
        }

        var script = new List<(Op, int, int)>();
        for (var i = 0; i < prefix; i++)
        {
            script.Add((Op.Keep, i, i));
        }

        var oldMiddle = n - prefix - suffix;
        var newMiddle = m - prefix - suffix;
        if ((long)oldMiddle * newMiddle > MaxTableCells)
        {
            script.AddRange(Enumerable.Range(prefix, oldMiddle).Select(i => (Op.Delete, i, -1)));
            script.AddRange(Enumerable.Range(prefix, newMiddle).Select(j => (Op.Insert, -1, j)));
        }
        else
        {
            // lengths[i, j]: the longest common subsequence of the middles from i and j on.
            var lengths = new int[oldMiddle + 1, newMiddle + 1];
            for (var i = oldMiddle - 1; i >= 0; i--)
            {
                for (var j = newMiddle - 1; j >= 0; j--)
                {
                    lengths[i, j] = a.Key(prefix + i) == b.Key(prefix + j) ? lengths[i + 1, j + 1] + 1 : Math.Max(lengths[i + 1, j], lengths[i, j + 1]);
                }
            }

            int x = 0, y = 0;
            while (x < oldMiddle || y < newMiddle)
            {
                if (x < oldMiddle && y < newMiddle && a.Key(prefix + x) == b.Key(prefix + y))
                {
                    script.Add((Op.Keep, prefix + x++, prefix + y++));
                }
                else if (x < oldMiddle && (y == newMiddle || lengths[x + 1, y] >= lengths[x, y + 1]))
                {
                    // Deletions before insertions, as diff prints them.
                    script.Add((Op.Delete, prefix + x++, -1));
                }
                else
                {
                    script.Add((Op.Insert, -1, prefix + y++));
                }
            }
        }

        for (var k = 0; k < suffix; k++)
        {
            script.Add((Op.Keep, n - suffix + k, m - suffix + k));
        }

        return script;
    }
}
