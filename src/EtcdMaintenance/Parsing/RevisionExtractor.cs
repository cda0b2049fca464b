using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// Reads the revision of every endpoint, and the revision to compact at (the highest), out of
/// <c>etcdctl endpoint status</c> output: the exact replacement for
/// <c>egrep -o '"revision":[0-9]*' | egrep -o '[0-9]*'</c>, which breaks silently when the format changes.
/// </summary>
/// <remarks>
/// <para><c>-w json</c> and <c>-w fields</c> print revisions. <c>-w table</c> and <c>-w simple</c> do not: for those the
/// methods fail with <see cref="EtcdctlParseErrorKind.NotInFormat"/> rather than return a number. Output of another
/// command (member list's header has a revision too) fails with <see cref="EtcdctlParseErrorKind.WrongCommand"/>.</para>
/// <para>JSON is read by the same reader as <see cref="EtcdctlOutput.ParseEndpointStatus"/>, which checks every byte and
/// every value; it only skips building the records. So from JSON the <c>TryExtract</c> and <c>TryGetCompactRevision</c>
/// methods allocate nothing when they succeed: they read the caller's bytes (strings are transcoded into a pooled
/// buffer) and write into the caller's span. <c>-w fields</c> output is read by <see cref="EtcdctlOutput.ParseEndpointStatus"/>
/// itself, which allocates its records. A failure allocates its <see cref="EtcdctlParseError"/>.</para>
/// <para>Output captured with <c>2&gt;&amp;1</c> is fine: etcdctl's log lines, <c>Error:</c> lines and
/// <c>Failed to get the status of endpoint</c> lines are skipped (those endpoints have no revision).</para>
/// </remarks>
public static class RevisionExtractor
{
    private const int StackTranscodeLimit = 512;

    /// <summary>
    /// Reads each endpoint's revision into <paramref name="destination"/> and the highest into <paramref name="compactRevision"/>.
    /// </summary>
    /// <param name="utf8Output">etcdctl's output as UTF-8 bytes.</param>
    /// <param name="destination">Where to write the revisions, in output order.</param>
    /// <param name="endpointCount">How many endpoints reported a revision (also when more than fit in <paramref name="destination"/>).</param>
    /// <param name="compactRevision">The highest revision; 0 unless the result is <see cref="OperationStatus.Done"/> or <see cref="OperationStatus.DestinationTooSmall"/>.</param>
    /// <param name="error">Why it failed; <see langword="null"/> for <see cref="OperationStatus.Done"/> and <see cref="OperationStatus.DestinationTooSmall"/>.</param>
    /// <returns>
    /// <see cref="OperationStatus.Done"/>; <see cref="OperationStatus.DestinationTooSmall"/> when more endpoints were found than
    /// fit (the first ones were written, the count and compact revision cover all); <see cref="OperationStatus.NeedMoreData"/>
    /// when the output is cut short; <see cref="OperationStatus.InvalidData"/> otherwise (see <paramref name="error"/>).
    /// </returns>
    public static OperationStatus TryExtract(ReadOnlySpan<byte> utf8Output, Span<EndpointRevision> destination, out int endpointCount, out long compactRevision, out EtcdctlParseError? error) =>
        Scan(utf8Output, destination, null, countOnly: false, out endpointCount, out compactRevision, out error, out _);

    /// <summary>Reads the revision to compact at (the highest endpoint revision); from JSON without allocating.</summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> when the output is not endpoint status output that prints revisions.</returns>
    public static bool TryGetCompactRevision(ReadOnlySpan<byte> utf8Output, out long compactRevision, [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Scan(utf8Output, default, null, countOnly: true, out _, out compactRevision, out error, out _) == OperationStatus.Done;

    /// <summary>Reads the revision to compact at from text (transcoded into a pooled buffer, so from JSON without allocating).</summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> when the output is not endpoint status output that prints revisions.</returns>
    public static bool TryGetCompactRevision(ReadOnlySpan<char> output, out long compactRevision, [NotNullWhen(false)] out EtcdctlParseError? error) =>
        ScanText(output, null, out compactRevision, out error, out _) == OperationStatus.Done;

    /// <summary>Reads every endpoint's revision and the revision to compact at, into a new list.</summary>
    /// <exception cref="EtcdctlParseException">The output is not endpoint status output that prints revisions; the exception says why and where.</exception>
    public static RevisionExtraction Extract(ReadOnlySpan<char> output)
    {
        var list = new List<EndpointRevision>();
        return ScanText(output, list, out var compact, out var error, out var format) == OperationStatus.Done
            ? new RevisionExtraction { Format = format, Endpoints = list, CompactRevision = compact }
            : throw new EtcdctlParseException(error!);
    }

    private static OperationStatus ScanText(ReadOnlySpan<char> output, List<EndpointRevision>? list, out long compact, out EtcdctlParseError? error, out EtcdctlOutputFormat format)
    {
        var length = Encoding.UTF8.GetByteCount(output);
        byte[]? rented = null;
        var buffer = length <= StackTranscodeLimit ? stackalloc byte[StackTranscodeLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(output, buffer);
            return Scan(buffer[..written], default, list, countOnly: true, out _, out compact, out error, out format);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static OperationStatus Scan(ReadOnlySpan<byte> utf8, Span<EndpointRevision> destination, List<EndpointRevision>? list, bool countOnly, out int count, out long compact, out EtcdctlParseError? error, out EtcdctlOutputFormat format)
    {
        var found = new Found(destination, list);
        format = EtcdctlOutputFormat.Auto;
        count = 0;
        compact = 0;
        try
        {
            format = ScanLines(utf8, ref found);
            count = found.Count;
            if (count == 0)
            {
                throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, 0, 0, "at least one endpoint status (did every endpoint fail?)", "no endpoint status in the output"));
            }

            compact = found.Max;
            error = null;
            return count > destination.Length && !countOnly ? OperationStatus.DestinationTooSmall : OperationStatus.Done;
        }
        catch (EtcdctlParseException ex)
        {
            count = 0;
            error = ex.Error;
            return ex.Kind == EtcdctlParseErrorKind.Truncated ? OperationStatus.NeedMoreData : OperationStatus.InvalidData;
        }
    }

    private static EtcdctlOutputFormat ScanLines(ReadOnlySpan<byte> utf8, ref Found found)
    {
        foreach (var line in new Utf8Lines(utf8))
        {
            if (Classify(line) != LineKind.Content)
            {
                continue;
            }

            var lead = line.Text.Length - line.Text.TrimStart(" \t"u8).Length;
            if (line.Text[lead] == (byte)'[' && EtcdctlText.LooksLikeJsonArray(line.Text))
            {
                ScanJson(utf8, line.Start + lead, ref found);
                return EtcdctlOutputFormat.Json;
            }

            return ReadParsed(utf8, line, lead, ref found);
        }

        return ReadParsed(utf8, default, 0, ref found);
    }

    /// <summary>
    /// Output that is not a JSON array, read by <see cref="EtcdctlOutput.ParseEndpointStatus"/>: <c>-w fields</c> prints
    /// each endpoint's revision; tables and simple lines do not, and anything else is refused as the full parser refuses it.
    /// </summary>
    private static EtcdctlOutputFormat ReadParsed(ReadOnlySpan<byte> utf8, Utf8Line first, int lead, ref Found found)
    {
        var (format, items) = EndpointStatusParser.Instance.Parse(Encoding.UTF8.GetString(utf8), EtcdctlOutputFormat.Auto);
        if (format is EtcdctlOutputFormat.Table or EtcdctlOutputFormat.Simple && items.OfType<EndpointStatus>().Any())
        {
            throw new EtcdctlParseException(Utf8Text.Error(EtcdctlParseErrorKind.NotInFormat, first.Number, first.Text, lead,
                $"-w json or -w fields output: etcdctl's -w {format.ToString().ToLowerInvariant()} does not print the revision"));
        }

        foreach (var status in items.OfType<EndpointStatus>())
        {
            found.Add(status.MemberId, status.Revision ?? 0);
        }

        return format;
    }

    /// <summary>The JSON array, read by <see cref="StatusJson"/> without building records.</summary>
    private static void ScanJson(ReadOnlySpan<byte> utf8, int start, ref Found found)
    {
        var json = new EtcdctlJson(utf8, start, stackalloc JsonName[64]);
        StatusJson.Begin(ref json);
        while (StatusJson.Next(ref json, full: false, out var entry))
        {
            found.Add(entry.HasRevision ? entry.MemberId : throw json.Error(EtcdctlParseErrorKind.Malformed, "a revision in Status.header (etcd leaves a zero revision out)"), entry.Revision);
        }

        foreach (var line in new Utf8Lines(utf8, json.CheckEnd()))
        {
            _ = Classify(line);
        }
    }

    /// <summary>What a line is; a failure line of endpoint hashkv is refused.</summary>
    private static LineKind Classify(Utf8Line line) => EtcdctlText.Classify(line.Text) is var kind && kind == LineKind.HashFailure
        ? throw new EtcdctlParseException(Utf8Text.Error(EtcdctlParseErrorKind.WrongCommand, line.Number, line.Text, 0, "endpoint status output (this line comes from endpoint hashkv)"))
        : kind;

    /// <summary>The revisions found so far: written into the caller's span (or list), counted, and the highest kept.</summary>
    private ref struct Found(Span<EndpointRevision> destination, List<EndpointRevision>? list)
    {
        private readonly Span<EndpointRevision> _destination = destination;

        public int Count { get; private set; }

        public long Max { get; private set; } = long.MinValue;

        public void Add(MemberId memberId, long revision)
        {
            var item = new EndpointRevision { Index = Count, MemberId = memberId, Revision = revision };
            if (Count < _destination.Length)
            {
                _destination[Count] = item;
            }

            list?.Add(item);
            Count++;
            Max = Math.Max(Max, revision);
        }
    }
}
