using System.Globalization;

namespace EtcdMaintenance.Parsing;

/// <summary>What kind of problem stopped a parse.</summary>
public enum EtcdctlParseErrorKind
{
    /// <summary>There is no output to read (nothing, blanks only, or only etcdctl's own error and log lines).</summary>
    Empty,

    /// <summary>The output stops in the middle of a value, a row or a record.</summary>
    Truncated,

    /// <summary>The text is not etcdctl output in the expected format.</summary>
    Malformed,

    /// <summary>The text is well-formed etcdctl output of another command (for example <c>member list</c> given to the status parser).</summary>
    WrongCommand,

    /// <summary>The format does not carry what was asked for: <c>-w table</c> and <c>-w simple</c> do not print the revision.</summary>
    NotInFormat,

    /// <summary>The format is one that etcdctl does not print for this command (for example <c>alarm list -w table</c>).</summary>
    UnsupportedFormat,
}

/// <summary>
/// Where and why etcdctl output could not be parsed: the line and column (both 1-based), what the parser expected there
/// and what it found.
/// </summary>
public sealed class EtcdctlParseError
{
    /// <summary>Creates an error (useful in callers' tests).</summary>
    /// <param name="kind">What kind of problem it is.</param>
    /// <param name="line">The 1-based line, or 0 when the problem is not tied to one line.</param>
    /// <param name="column">The 1-based column (in characters), or 0 when not tied to one.</param>
    /// <param name="expected">What the parser expected, e.g. <c>a JSON array of endpoint statuses</c>.</param>
    /// <param name="found">A short excerpt of what it found there, or <see langword="null"/>.</param>
    public EtcdctlParseError(EtcdctlParseErrorKind kind, int line, int column, string expected, string? found)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentOutOfRangeException.ThrowIfNegative(line);
        ArgumentOutOfRangeException.ThrowIfNegative(column);
        Kind = kind;
        Line = line;
        Column = column;
        Expected = expected;
        Found = found;
    }

    /// <summary>What kind of problem it is.</summary>
    public EtcdctlParseErrorKind Kind { get; }

    /// <summary>The 1-based line of the problem; 0 when it is not tied to one line (for example empty output).</summary>
    public int Line { get; }

    /// <summary>The 1-based column (in UTF-16 characters) of the problem; 0 when it is not tied to one.</summary>
    public int Column { get; }

    /// <summary>What the parser expected at <see cref="Line"/>:<see cref="Column"/>.</summary>
    public string Expected { get; }

    /// <summary>A short excerpt of what was found there instead, or <see langword="null"/> (end of output, nothing).</summary>
    public string? Found { get; }

    /// <summary>A sentence for people: where, what was expected, what was found.</summary>
    public string Message
    {
        get
        {
            var where = Line > 0 ? string.Create(CultureInfo.InvariantCulture, $"line {Line}, column {Column}: ") : string.Empty;
            var what = Kind switch
            {
                EtcdctlParseErrorKind.Empty => "no etcdctl output to read",
                EtcdctlParseErrorKind.Truncated => "the output is cut short",
                EtcdctlParseErrorKind.WrongCommand => "this is output of another etcdctl command",
                EtcdctlParseErrorKind.NotInFormat => "this output format does not carry the value asked for",
                EtcdctlParseErrorKind.UnsupportedFormat => "etcdctl does not print this command in this format",
                _ => "this is not the etcdctl output expected",
            };
            var found = Found is null ? string.Empty : $"; found {Found}";
            return $"{where}{what}: expected {Expected}{found}.";
        }
    }

    /// <summary>The same as <see cref="Message"/>.</summary>
    public override string ToString() => Message;
}
