namespace EtcdMaintenance.Parsing;

/// <summary>What a line of captured etcdctl output is, before any format-specific parsing.</summary>
internal enum LineKind
{
    /// <summary>Empty or white space.</summary>
    Blank,

    /// <summary>A line etcdctl writes to standard error that carries no data: a client log line (JSON with a level) or <c>Error: ...</c>.</summary>
    Noise,

    /// <summary><c>Failed to get the status of endpoint X (error)</c> (etcdctl 3.4-3.6, standard error).</summary>
    StatusFailure,

    /// <summary><c>Failed to get the hash of endpoint X (error)</c> (etcdctl 3.4-3.6, standard error).</summary>
    HashFailure,

    /// <summary>Anything else: the command's own output.</summary>
    Content,
}

/// <summary>
/// Recognizes the lines that etcdctl writes to standard error, so that output captured with <c>2&gt;&amp;1</c> parses
/// the same as standard output alone; and detects the output format.
/// </summary>
internal static class OutputLines
{
    public const string StatusFailurePrefix = "Failed to get the status of endpoint ";
    public const string HashFailurePrefix = "Failed to get the hash of endpoint ";

    /// <summary>
    /// Whether a line is etcdctl's own log line in capnslog's format (etcd 3.4's client logger), e.g.
    /// <c>2026-11-30 10:00:00.079396 W | pkg/flags: unrecognized environment variable ETCDCTL_X=1</c>: a date, a time, a
    /// level letter and a bar.
    /// </summary>
    internal static bool IsCapnslogLine<T>(ReadOnlySpan<T> line)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        ReadOnlySpan<byte> shape = "0000-00-00 00:00:00"u8;
        if (line.Length < shape.Length + 4)
        {
            return false;
        }

        for (var i = 0; i < shape.Length; i++)
        {
            var c = int.CreateTruncating(line[i]);
            if (shape[i] == (byte)'0' ? c is < '0' or > '9' : c != shape[i])
            {
                return false;
            }
        }

        var at = shape.Length;
        if (int.CreateTruncating(line[at]) == '.')
        {
            at++;
            while (at < line.Length && int.CreateTruncating(line[at]) is >= '0' and <= '9')
            {
                at++;
            }
        }

        return at + 4 <= line.Length && int.CreateTruncating(line[at]) == ' ' && int.CreateTruncating(line[at + 1]) is 'C' or 'E' or 'W' or 'N' or 'I' or 'D' or 'T'
            && int.CreateTruncating(line[at + 2]) == ' ' && int.CreateTruncating(line[at + 3]) == '|';
    }

    /// <summary>What a line is (UTF-16 or UTF-8 text).</summary>
    public static LineKind Classify<T>(ReadOnlySpan<T> line)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var trimmed = Trim(line);
        return trimmed.IsEmpty ? LineKind.Blank
            : StartsWith(trimmed, "{\"level\":") || StartsWith(trimmed, "Error: ") || (trimmed.Length == 6 && StartsWith(trimmed, "Error:")) || IsCapnslogLine(trimmed) ? LineKind.Noise
            : StartsWith(trimmed, StatusFailurePrefix) ? LineKind.StatusFailure
            : StartsWith(trimmed, HashFailurePrefix) ? LineKind.HashFailure
            : LineKind.Content;
    }

    /// <summary>Whether a line is etcdctl's own <c>Error: ...</c> line.</summary>
    public static bool IsErrorLine<T>(ReadOnlySpan<T> line)
        where T : unmanaged, System.Numerics.IBinaryInteger<T> => StartsWith(Trim(line), "Error:");

    /// <summary>The line without white space around it (any Unicode space in text; space, tab and CR in UTF-8).</summary>
    public static ReadOnlySpan<T> Trim<T>(ReadOnlySpan<T> line)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var start = 0;
        while (start < line.Length && IsSpace(line[start]))
        {
            start++;
        }

        var end = line.Length;
        while (end > start && IsSpace(line[end - 1]))
        {
            end--;
        }

        return line[start..end];
    }

    private static bool IsSpace<T>(T c)
        where T : unmanaged, System.Numerics.IBinaryInteger<T> =>
        typeof(T) == typeof(char) ? char.IsWhiteSpace((char)int.CreateTruncating(c)) : int.CreateTruncating(c) is ' ' or '\t' or '\r';

    private static bool StartsWith<T>(ReadOnlySpan<T> text, string ascii)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        if (text.Length < ascii.Length)
        {
            return false;
        }

        for (var i = 0; i < ascii.Length; i++)
        {
            if (int.CreateTruncating(text[i]) != ascii[i])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Splits <c>Failed to get the ... of endpoint X (error)</c> into the endpoint and the error.</summary>
    public static bool TryParseFailure(ReadOnlySpan<char> line, string prefix, out string endpoint, out string message)
    {
        var rest = line.Trim();
        endpoint = string.Empty;
        message = string.Empty;
        if (!rest.StartsWith(prefix, StringComparison.Ordinal))
        {
            return false;
        }

        rest = rest[prefix.Length..];
        var space = rest.IndexOf(' ');
        if (space <= 0)
        {
            return false;
        }

        var tail = rest[(space + 1)..];
        if (tail.Length < 2 || tail[0] != '(' || tail[^1] != ')')
        {
            return false;
        }

        endpoint = rest[..space].ToString();
        message = tail[1..^1].ToString();
        return true;
    }

    /// <summary>The first line that is the command's own output, or <see langword="null"/>.</summary>
    public static TextLine? FirstContent(OutputText text, int fromIndex = 0)
    {
        for (var i = fromIndex; i < text.Lines.Count; i++)
        {
            if (Classify(text[text.Lines[i]]) == LineKind.Content)
            {
                return text.Lines[i];
            }
        }

        return null;
    }

    /// <summary>The format of a content line, judged by its first character.</summary>
    public static EtcdctlOutputFormat DetectFormat(ReadOnlySpan<char> firstContentLine)
    {
        var line = firstContentLine.TrimStart();
        if (line.IsEmpty)
        {
            return EtcdctlOutputFormat.Auto;
        }

        return line[0] switch
        {
            '[' when LooksLikeJsonArray(line) => EtcdctlOutputFormat.Json,
            '{' => EtcdctlOutputFormat.Json,
            '+' or '|' or '\u250C' or '\u2502' or '\u256D' or '\u2554' or '\u2551' or '\u251C' => EtcdctlOutputFormat.Table,
            '"' when TryField(line, out _, out _) => EtcdctlOutputFormat.Fields,
            _ => EtcdctlOutputFormat.Simple,
        };
    }

    /// <summary>
    /// Whether a line starting with <c>[</c> opens a JSON array (<c>[{</c>, <c>[]</c>, <c>[</c> alone when pretty-printed),
    /// rather than an IPv6 endpoint such as <c>[fd00::1]:2379</c> starting a simple line.
    /// </summary>
    public static bool LooksLikeJsonArray<T>(ReadOnlySpan<T> line)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        var rest = Trim(Trim(line)[1..]);
        return rest.IsEmpty || int.CreateTruncating(rest[0]) is '{' or ']' or '"' or '[';
    }

    /// <summary>Splits a <c>-w fields</c> line, <c>"Key" : value</c> (text or UTF-8); the value is trimmed.</summary>
    public static bool TryField<T>(ReadOnlySpan<T> line, out ReadOnlySpan<T> key, out ReadOnlySpan<T> value)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        key = default;
        value = default;
        var trimmed = Trim(line);
        var close = trimmed.Length >= 4 && IsChar(trimmed[0], '"') ? IndexOf(trimmed[1..], '"') : -1;
        if (close <= 0)
        {
            return false;
        }

        var rest = Trim(trimmed[(close + 2)..]);
        if (rest.IsEmpty || !IsChar(rest[0], ':'))
        {
            return false;
        }

        key = trimmed.Slice(1, close);
        value = Trim(rest[1..]);
        return true;
    }

    private static bool IsChar<T>(T c, char ascii)
        where T : unmanaged, System.Numerics.IBinaryInteger<T> => int.CreateTruncating(c) == ascii;

    private static int IndexOf<T>(ReadOnlySpan<T> text, char ascii)
        where T : unmanaged, System.Numerics.IBinaryInteger<T>
    {
        for (var i = 0; i < text.Length; i++)
        {
            if (IsChar(text[i], ascii))
            {
                return i;
            }
        }

        return -1;
    }
}
