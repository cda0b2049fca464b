using System.Buffers;
using System.Buffers.Text;
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
/// every value; it only skips building the records. So the <c>TryExtract</c> and <c>TryGetCompactRevision</c> methods
/// allocate nothing when they succeed: they read the caller's bytes (strings are transcoded into a pooled buffer) and
/// write into the caller's span. Only a failure allocates its <see cref="EtcdctlParseError"/>.</para>
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

    /// <summary>Reads the revision to compact at (the highest endpoint revision), without allocating.</summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> when the output is not endpoint status output that prints revisions.</returns>
    public static bool TryGetCompactRevision(ReadOnlySpan<byte> utf8Output, out long compactRevision, [NotNullWhen(false)] out EtcdctlParseError? error) =>
        Scan(utf8Output, default, null, countOnly: true, out _, out compactRevision, out error, out _) == OperationStatus.Done;

    /// <summary>Reads the revision to compact at from text (transcoded into a pooled buffer, so without allocating).</summary>
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
        var errorLine = 0;
        foreach (var line in new Utf8Lines(utf8))
        {
            var kind = Classify(line);
            if (kind != LineKind.Content)
            {
                errorLine = errorLine == 0 && kind == LineKind.Noise && EtcdctlText.IsErrorLine(line.Text) ? line.Number : errorLine;
                continue;
            }

            var lead = line.Text.Length - line.Text.TrimStart(" \t"u8).Length;
            if (line.Text[lead] == (byte)'[' && EtcdctlText.LooksLikeJsonArray(line.Text))
            {
                ScanJson(utf8, line.Start + lead, ref found);
                return EtcdctlOutputFormat.Json;
            }

            if (line.Text[lead] == (byte)'"' && EtcdctlText.TryField(line.Text, out _, out _))
            {
                ScanFields(utf8, line.Start, ref found);
                return EtcdctlOutputFormat.Fields;
            }

            throw new EtcdctlParseException(NeitherJsonNorFields(utf8, line, lead));
        }

        throw new EtcdctlParseException(new EtcdctlParseError(EtcdctlParseErrorKind.Empty, errorLine, errorLine == 0 ? 0 : 1,
            "etcdctl endpoint status output (-w json or -w fields)",
            utf8.IsEmpty ? "an empty string" : errorLine > 0 ? "only etcdctl's error line" : "only blank or log lines"));
    }

    /// <summary>The error for a first line of content that is neither JSON nor fields.</summary>
    private static EtcdctlParseError NeitherJsonNorFields(ReadOnlySpan<byte> utf8, Utf8Line line, int lead)
    {
        var first = line.Text[lead];
        if (first == (byte)'{')
        {
            return Utf8Text.Error(EtcdctlParseErrorKind.WrongCommand, line.Number, line.Text, lead, "endpoint status output, a JSON array (a JSON object comes from member list, alarm list or get)");
        }

        if (first is (byte)'+' or (byte)'|' || (first == 0xE2 && line.Text.Length > lead + 1 && line.Text[lead + 1] is 0x94 or 0x95))
        {
            // The header row names the command: endpoint status tables have a DB SIZE column.
            return utf8[line.Start..].IndexOf("DB SIZE"u8) is >= 0 and < 4096
                ? Utf8Text.Error(EtcdctlParseErrorKind.NotInFormat, line.Number, line.Text, lead, "-w json or -w fields output: etcdctl's -w table does not print the revision")
                : Utf8Text.Error(EtcdctlParseErrorKind.WrongCommand, line.Number, line.Text, lead, "an endpoint status table (this table has no DB SIZE column)");
        }

        return line.Text.Count(", "u8) >= 9
            ? Utf8Text.Error(EtcdctlParseErrorKind.NotInFormat, line.Number, line.Text, lead, "-w json or -w fields output: etcdctl's -w simple does not print the revision")
            : Utf8Text.Error(EtcdctlParseErrorKind.Malformed, line.Number, line.Text, lead, "etcdctl endpoint status output (-w json or -w fields)");
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

    /// <summary>
    /// Records of <c>"Key" : value</c> lines, each starting at <c>"ClusterID"</c>: the header (ClusterID, MemberID,
    /// Revision, RaftTerm), then the status, ending with <c>"Endpoint"</c>.
    /// </summary>
    private static void ScanFields(ReadOnlySpan<byte> utf8, int start, ref Found found)
    {
        var record = default(FieldsRecord);
        var last = default(Utf8Line);
        foreach (var line in new Utf8Lines(utf8, start))
        {
            last = line;
            var kind = Classify(line);
            if (kind != LineKind.Content)
            {
                continue;
            }

            var lead = line.Text.Length - line.Text.TrimStart(" \t"u8).Length;
            if (!EtcdctlText.TryField(line.Text, out var key, out var value))
            {
                throw new EtcdctlParseException(Utf8Text.Error(line.IsLast ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, line.Number, line.Text, lead, "a field line such as '\"Revision\" : 14'"));
            }

            if (key.SequenceEqual("ClusterID"u8))
            {
                Close(ref record, ref found, line, isLast: false);
                record = new FieldsRecord { Line = line.Number };
                continue;
            }

            if (record.Line == 0)
            {
                var other = key.SequenceEqual("Endpoint"u8) ? "endpoint health" : "another etcdctl command";
                throw new EtcdctlParseException(Utf8Text.Error(EtcdctlParseErrorKind.WrongCommand, line.Number, line.Text, lead, $"endpoint status output, records starting with \"ClusterID\" (this looks like {other} output)"));
            }

            var valueColumn = line.Text.Length - value.Length - (line.Text.Length - line.Text.TrimEnd(" \t"u8).Length);
            if (key.SequenceEqual("Revision"u8) || key.SequenceEqual("MemberID"u8))
            {
                var isRevision = key[0] == (byte)'R';
                var name = isRevision ? "Revision" : "MemberID";
                if (isRevision ? record.HasRevision : record.HasMemberId)
                {
                    throw new EtcdctlParseException(Utf8Text.Error(EtcdctlParseErrorKind.Malformed, line.Number, line.Text, lead, $"each field once per record (etcdctl never prints \"{name}\" twice)"));
                }

                if (!Utf8Parser.TryParse(value, out ulong number, out var used) || used != value.Length || (isRevision && number > long.MaxValue))
                {
                    throw new EtcdctlParseException(Utf8Text.Error(EtcdctlParseErrorKind.Malformed, line.Number, line.Text, valueColumn,
                        isRevision ? "Revision as a non-negative 64-bit number" : "MemberID as an unsigned 64-bit number"));
                }

                (record.Revision, record.HasRevision) = isRevision ? ((long)number, true) : (record.Revision, record.HasRevision);
                (record.MemberId, record.HasMemberId) = isRevision ? (record.MemberId, record.HasMemberId) : (number, true);
            }
            else if (key.SequenceEqual("DBSize"u8))
            {
                record.HasSize = true;
            }
            else if (key.SequenceEqual("Endpoint"u8))
            {
                record.HasEndpoint = true;
            }
            else if (key.SequenceEqual("AlarmType"u8) || key.SequenceEqual("Health"u8) || key.SequenceEqual("Hash"u8) || key.SequenceEqual("ID"u8))
            {
                throw new EtcdctlParseException(Utf8Text.Error(EtcdctlParseErrorKind.WrongCommand, line.Number, line.Text, lead, "endpoint status output (this record comes from another etcdctl command)"));
            }
        }

        Close(ref record, ref found, last, isLast: true);
    }

    private static void Close(ref FieldsRecord record, ref Found found, Utf8Line line, bool isLast)
    {
        if (record.Line == 0)
        {
            return;
        }

        if (!record.HasRevision || !record.HasSize || !record.HasEndpoint)
        {
            var missing = !record.HasRevision ? "Revision" : !record.HasSize ? "DBSize" : "Endpoint";
            throw new EtcdctlParseException(isLast
                ? new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, line.Number, Encoding.UTF8.GetCharCount(line.Text) + 1, $"a \"{missing}\" line in this record", "the end of the output")
                : new EtcdctlParseError(record.HasSize ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand, record.Line, 1,
                    record.HasSize ? $"a \"{missing}\" line in the record starting here" : "endpoint status output (this record has no \"DBSize\")", null));
        }

        found.Add(record.MemberId, record.Revision);
    }

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

    /// <summary>What one <c>-w fields</c> record has shown so far.</summary>
    private struct FieldsRecord
    {
        public int Line;
        public bool HasRevision, HasMemberId, HasSize, HasEndpoint;
        public long Revision;
        public ulong MemberId;
    }
}
