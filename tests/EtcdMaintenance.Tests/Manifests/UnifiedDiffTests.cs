using System.Text.RegularExpressions;
using EtcdMaintenance.Manifests;

namespace EtcdMaintenance.Tests.Manifests;

public sealed partial class UnifiedDiffTests
{
    [Fact]
    public void Create_SameText_IsEmpty()
    {
        Assert.Equal(string.Empty, UnifiedDiff.Create("a\nb\n", "a\nb\n", "f"));
    }

    [Fact]
    public void Create_TwoDistantChanges_MakeTwoHunks()
    {
        var old = string.Concat(Enumerable.Range(1, 30).Select(i => $"line {i}\n"));
        var @new = old.Replace("line 3\n", "line three\n", StringComparison.Ordinal).Replace("line 25\n", "line 25\nline 25.5\n", StringComparison.Ordinal);

        var diff = UnifiedDiff.Create(old, @new, "f.yaml");

        Assert.Equal("""
            --- a/f.yaml
            +++ b/f.yaml
            @@ -1,6 +1,6 @@
             line 1
             line 2
            -line 3
            +line three
             line 4
             line 5
             line 6
            @@ -23,6 +23,7 @@
             line 23
             line 24
             line 25
            +line 25.5
             line 26
             line 27
             line 28

            """.ReplaceLineEndings("\n"), diff);
    }

    [Fact]
    public void Create_MissingFinalNewline_IsMarked()
    {
        var diff = UnifiedDiff.Create("a\nb", "a\nc", "f");

        Assert.EndsWith("-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_CrlfText_ShowsLinesWithoutCarriageReturns()
    {
        var diff = UnifiedDiff.Create("a\r\nb\r\n", "a\r\nc\r\n", "f");

        Assert.DoesNotContain('\r', diff);
        Assert.Contains("-b\n+c\n", diff, StringComparison.Ordinal);
    }

    [Fact]
    public void Create_RandomEdits_ApplyBackToTheNewText()
    {
        var random = new Random(1234);
        for (var round = 0; round < 300; round++)
        {
            var old = Enumerable.Range(0, random.Next(0, 40)).Select(_ => "l" + random.Next(0, 8)).ToList();
            var @new = old.ToList();
            for (var edit = random.Next(1, 6); edit > 0; edit--)
            {
                var at = random.Next(0, @new.Count + 1);
                switch (random.Next(3))
                {
                    case 0: @new.Insert(at, "n" + random.Next(0, 8)); break;
                    case 1 when at < @new.Count: @new.RemoveAt(at); break;
                    default: if (at < @new.Count) { @new[at] = "c" + random.Next(0, 8); } break;
                }
            }

            var oldText = string.Concat(old.Select(l => l + "\n"));
            var newText = string.Concat(@new.Select(l => l + "\n"));

            Assert.Equal(newText, Apply(oldText, UnifiedDiff.Create(oldText, newText, "f")));
        }
    }

    [GeneratedRegex(@"^@@ -(\d+),(\d+) \+(\d+),(\d+) @@$")]
    private static partial Regex HunkHeader();

    /// <summary>A strict patch: every context and removed line must match, and hunk counts must add up.</summary>
    internal static string Apply(string oldText, string diff)
    {
        if (diff.Length == 0)
        {
            return oldText;
        }

        var old = oldText.Split('\n').SkipLast(1).ToList();
        var result = new List<string>();
        var lines = diff.Split('\n').SkipLast(1).ToList();
        Assert.StartsWith("--- ", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("+++ ", lines[1], StringComparison.Ordinal);
        var position = 0;
        var i = 2;
        while (i < lines.Count)
        {
            var header = HunkHeader().Match(lines[i++]);
            Assert.True(header.Success, lines[i - 1]);
            var (oldStart, oldCount, newCount) = (int.Parse(header.Groups[1].Value), int.Parse(header.Groups[2].Value), int.Parse(header.Groups[4].Value));
            var copyTo = oldCount == 0 ? oldStart : oldStart - 1;
            result.AddRange(old.GetRange(position, copyTo - position));
            position = copyTo;
            int seenOld = 0, seenNew = 0;
            while (i < lines.Count && !lines[i].StartsWith("@@", StringComparison.Ordinal))
            {
                var line = lines[i++];
                var body = line[1..];
                switch (line[0])
                {
                    case ' ': Assert.Equal(old[position++], body); result.Add(body); seenOld++; seenNew++; break;
                    case '-': Assert.Equal(old[position++], body); seenOld++; break;
                    case '+': result.Add(body); seenNew++; break;
                    default: Assert.Fail($"bad diff line '{line}'"); break;
                }
            }

            Assert.Equal(oldCount, seenOld);
            Assert.Equal(newCount, seenNew);
        }

        result.AddRange(old.Skip(position));
        return string.Concat(result.Select(l => l + "\n"));
    }
}
