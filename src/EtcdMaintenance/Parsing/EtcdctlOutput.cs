using System.Diagnostics.CodeAnalysis;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// Parsers for what etcdctl prints (3.4, 3.5 and 3.6), for scripts and containers where the client cannot connect:
/// <c>endpoint status</c>, <c>member list</c>, <c>alarm list</c>, <c>endpoint health</c> and <c>endpoint hashkv</c>,
/// in the <c>-w</c> formats etcdctl offers for each, detected automatically or stated.
/// </summary>
/// <remarks>
/// <para>Output captured with <c>2&gt;&amp;1</c> reads the same: etcdctl's client log lines and <c>Error: ...</c> lines
/// are skipped, and <c>Failed to get the status of endpoint X (error)</c> lines become failures.</para>
/// <para>Bad input (garbage, truncated output, an empty string, output of another command) makes the <c>Parse...</c>
/// methods throw <see cref="EtcdctlParseException"/> and the <c>TryParse...</c> methods return <see langword="false"/>
/// with an <see cref="EtcdctlParseError"/>; no other exception comes out of them. Numbers are never guessed: a value
/// the format does not print is <see langword="null"/> (or, for table sizes, flagged as approximate).</para>
/// <para>For the revision alone, without allocating, use <see cref="RevisionExtractor"/>.</para>
/// </remarks>
public static class EtcdctlOutput
{
    /// <summary>
    /// Detects the format of etcdctl output from its first line of content (JSON starts with <c>[</c> or <c>{</c>, a
    /// table with a border or <c>|</c>, fields with <c>"Key" :</c>; anything else is taken for simple).
    /// </summary>
    /// <returns><see langword="false"/> when the output has no content at all (nothing, blanks, or only error lines).</returns>
    public static bool TryDetectFormat(string output, out EtcdctlOutputFormat format)
    {
        ArgumentNullException.ThrowIfNull(output);
        var text = new EtcdctlText(output, string.Empty, LineKind.Content);
        var first = text.FirstContent();
        format = first is { } line ? EtcdctlText.DetectFormat(text[line]) : EtcdctlOutputFormat.Auto;
        return first is not null;
    }

    /// <summary>
    /// Parses <c>etcdctl endpoint status</c> output (<c>-w json</c>, <c>table</c>, <c>fields</c> or <c>simple</c>) into
    /// the same <see cref="EndpointStatus"/> records the client returns.
    /// </summary>
    /// <param name="output">What etcdctl printed (standard output, optionally with standard error).</param>
    /// <param name="format">The format, or <see cref="EtcdctlOutputFormat.Auto"/> to detect it.</param>
    /// <exception cref="EtcdctlParseException">The text is not endpoint status output in that format; the exception says where and what was expected.</exception>
    public static EtcdctlStatusOutput ParseEndpointStatus(string output, EtcdctlOutputFormat format = EtcdctlOutputFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ParseStatus(output, format);
    }

    /// <summary>Tries to parse <c>etcdctl endpoint status</c> output; see <see cref="ParseEndpointStatus"/>.</summary>
    public static bool TryParseEndpointStatus(
        string output,
        EtcdctlOutputFormat format,
        [NotNullWhen(true)] out EtcdctlStatusOutput? result,
        [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Try(output, format, ParseStatus, out result, out error);

    /// <summary>Parses <c>etcdctl member list</c> output (<c>-w json</c>, <c>table</c>, <c>simple</c> or <c>fields</c>).</summary>
    /// <exception cref="EtcdctlParseException">The text is not member list output in that format.</exception>
    public static EtcdctlMemberList ParseMemberList(string output, EtcdctlOutputFormat format = EtcdctlOutputFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ParseMembers(output, format);
    }

    /// <summary>Tries to parse <c>etcdctl member list</c> output; see <see cref="ParseMemberList"/>.</summary>
    public static bool TryParseMemberList(
        string output,
        EtcdctlOutputFormat format,
        [NotNullWhen(true)] out EtcdctlMemberList? result,
        [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Try(output, format, ParseMembers, out result, out error);

    /// <summary>
    /// Parses <c>etcdctl alarm list</c> output (<c>-w simple</c>, <c>json</c> or <c>fields</c>; etcdctl has no table for
    /// alarms). Empty output is the empty list: with no alarm, <c>-w simple</c> prints nothing.
    /// </summary>
    /// <exception cref="EtcdctlParseException">The text is not alarm list output in that format, or only etcdctl's own <c>Error:</c> line.</exception>
    public static IReadOnlyList<EtcdAlarm> ParseAlarmList(string output, EtcdctlOutputFormat format = EtcdctlOutputFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ParseAlarms(output, format);
    }

    /// <summary>Tries to parse <c>etcdctl alarm list</c> output; see <see cref="ParseAlarmList"/>.</summary>
    public static bool TryParseAlarmList(
        string output,
        EtcdctlOutputFormat format,
        [NotNullWhen(true)] out IReadOnlyList<EtcdAlarm>? result,
        [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Try(output, format, ParseAlarms, out result, out error);

    /// <summary>
    /// Parses <c>etcdctl endpoint health</c> output (<c>-w json</c>, <c>table</c>, <c>fields</c>, or the
    /// <c>-w simple</c> lines etcdctl writes to standard error).
    /// </summary>
    /// <exception cref="EtcdctlParseException">The text is not endpoint health output in that format.</exception>
    public static IReadOnlyList<EtcdctlEndpointHealth> ParseEndpointHealth(string output, EtcdctlOutputFormat format = EtcdctlOutputFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ParseHealth(output, format);
    }

    /// <summary>Tries to parse <c>etcdctl endpoint health</c> output; see <see cref="ParseEndpointHealth"/>.</summary>
    public static bool TryParseEndpointHealth(
        string output,
        EtcdctlOutputFormat format,
        [NotNullWhen(true)] out IReadOnlyList<EtcdctlEndpointHealth>? result,
        [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Try(output, format, ParseHealth, out result, out error);

    /// <summary>Parses <c>etcdctl endpoint hashkv</c> output (<c>-w json</c>, <c>table</c>, <c>fields</c> or <c>simple</c>).</summary>
    /// <exception cref="EtcdctlParseException">The text is not endpoint hashkv output in that format.</exception>
    public static EtcdctlHashKvOutput ParseEndpointHashKv(string output, EtcdctlOutputFormat format = EtcdctlOutputFormat.Auto)
    {
        ArgumentNullException.ThrowIfNull(output);
        return ParseHashKv(output, format);
    }

    /// <summary>Tries to parse <c>etcdctl endpoint hashkv</c> output; see <see cref="ParseEndpointHashKv"/>.</summary>
    public static bool TryParseEndpointHashKv(
        string output,
        EtcdctlOutputFormat format,
        [NotNullWhen(true)] out EtcdctlHashKvOutput? result,
        [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Try(output, format, ParseHashKv, out result, out error);

    private static EtcdctlStatusOutput ParseStatus(string output, EtcdctlOutputFormat format)
    {
        var (detected, items) = EndpointStatusParser.Instance.Parse(output, format);
        return new EtcdctlStatusOutput(detected, items);
    }

    private static EtcdctlMemberList ParseMembers(string output, EtcdctlOutputFormat format)
    {
        var (detected, items) = MemberListParser.Instance.Parse(output, format);
        return new EtcdctlMemberList { Format = detected, Header = items.OfType<ResponseHeader>().FirstOrDefault(), Members = [.. items.OfType<EtcdMember>()] };
    }

    private static IReadOnlyList<EtcdAlarm> ParseAlarms(string output, EtcdctlOutputFormat format) => [.. AlarmListParser.Instance.Parse(output, format).Items.Cast<EtcdAlarm>()];

    private static IReadOnlyList<EtcdctlEndpointHealth> ParseHealth(string output, EtcdctlOutputFormat format) =>
        [.. EndpointHealthParser.Instance.Parse(output, format).Items.Cast<EtcdctlEndpointHealth>()];

    private static EtcdctlHashKvOutput ParseHashKv(string output, EtcdctlOutputFormat format)
    {
        var (detected, items) = EndpointHashKvParser.Instance.Parse(output, format);
        return new EtcdctlHashKvOutput { Format = detected, Hashes = [.. items.OfType<EtcdctlHashKv>()], Failures = [.. items.OfType<EtcdctlEndpointFailure>()] };
    }

    private static bool Try<T>(string output, EtcdctlOutputFormat format, Func<string, EtcdctlOutputFormat, T> parse, [NotNullWhen(true)] out T? result, [NotNullWhen(false)] out EtcdctlParseError? error)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(output);
        try
        {
            result = parse(output, format);
            error = null;
            return true;
        }
        catch (EtcdctlParseException ex)
        {
            result = null;
            error = ex.Error;
            return false;
        }
    }
}
