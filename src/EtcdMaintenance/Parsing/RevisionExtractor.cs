using System.Buffers;
using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using System.Text.Json;

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
/// <para>The <c>TryExtract</c> and <c>TryGetCompactRevision</c> methods allocate nothing when they succeed: they read
/// the caller's bytes (strings are transcoded into a pooled buffer) and write into the caller's span. Only a failure
/// allocates its <see cref="EtcdctlParseError"/>.</para>
/// <para>JSON as etcdctl prints it (one line of ASCII without escapes) takes a fast path: every token up to each
/// revision is checked, the <c>revision</c> and <c>member_id</c> numbers are read exactly (as
/// <see cref="Utf8JsonReader.TryGetInt64"/> and <see cref="Utf8JsonReader.TryGetUInt64"/> would), and the rest of each
/// status is skipped by matching brackets outside strings, 64 bytes at a time, without checking its grammar. Anything
/// else (pretty-printed, escaped, cut short, unexpected) goes through a strict <see cref="Utf8JsonReader"/> loop, which
/// checks every byte and words the error. Use <see cref="EtcdctlOutput.ParseEndpointStatus"/> to check every value.</para>
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
    public static OperationStatus TryExtract(ReadOnlySpan<byte> utf8Output, Span<EndpointRevision> destination, out int endpointCount, out long compactRevision, out EtcdctlParseError? error)
    {
        var sink = new EndpointRevisionSink(destination);
        return Scan(utf8Output, ref sink, out endpointCount, out compactRevision, out error, out _);
    }

    /// <summary>Reads each endpoint's revision as a number; see <see cref="TryExtract(ReadOnlySpan{byte}, Span{EndpointRevision}, out int, out long, out EtcdctlParseError?)"/>.</summary>
    public static OperationStatus TryExtract(ReadOnlySpan<byte> utf8Output, Span<long> destination, out int endpointCount, out long compactRevision, out EtcdctlParseError? error)
    {
        var sink = new Int64Sink(destination);
        return Scan(utf8Output, ref sink, out endpointCount, out compactRevision, out error, out _);
    }

    /// <summary>Reads each endpoint's revision from text; see <see cref="TryExtract(ReadOnlySpan{byte}, Span{EndpointRevision}, out int, out long, out EtcdctlParseError?)"/>.</summary>
    public static OperationStatus TryExtract(ReadOnlySpan<char> output, Span<EndpointRevision> destination, out int endpointCount, out long compactRevision, out EtcdctlParseError? error)
    {
        var sink = new EndpointRevisionSink(destination);
        return ScanText(output, ref sink, out endpointCount, out compactRevision, out error, out _);
    }

    /// <summary>Reads each endpoint's revision from text as a number; see <see cref="TryExtract(ReadOnlySpan{byte}, Span{EndpointRevision}, out int, out long, out EtcdctlParseError?)"/>.</summary>
    public static OperationStatus TryExtract(ReadOnlySpan<char> output, Span<long> destination, out int endpointCount, out long compactRevision, out EtcdctlParseError? error)
    {
        var sink = new Int64Sink(destination);
        return ScanText(output, ref sink, out endpointCount, out compactRevision, out error, out _);
    }

    /// <summary>
    /// For tests: the same as <see cref="TryExtract(ReadOnlySpan{byte}, Span{EndpointRevision}, out int, out long, out EtcdctlParseError?)"/>
    /// but JSON always goes through the strict Utf8JsonReader loop, never the skimming fast path.
    /// </summary>
    internal static OperationStatus TryExtractStrict(ReadOnlySpan<byte> utf8Output, Span<EndpointRevision> destination, out int endpointCount, out long compactRevision, out EtcdctlParseError? error)
    {
        var sink = new EndpointRevisionSink(destination);
        return Scan(utf8Output, ref sink, out endpointCount, out compactRevision, out error, out _, strict: true);
    }

    /// <summary>Reads the revision to compact at (the highest endpoint revision), without allocating.</summary>
    /// <returns><see langword="false"/> with <paramref name="error"/> when the output is not endpoint status output that prints revisions.</returns>
    public static bool TryGetCompactRevision(ReadOnlySpan<byte> utf8Output, out long compactRevision, [NotNullWhen(false)] out EtcdctlParseError? error)
    {
        var sink = default(CountingSink);
        return Scan(utf8Output, ref sink, out _, out compactRevision, out error, out _) == OperationStatus.Done;
    }

    /// <summary>Reads the revision to compact at from text (transcoded into a pooled buffer, so without allocating).</summary>
    public static bool TryGetCompactRevision(ReadOnlySpan<char> output, out long compactRevision, [NotNullWhen(false)] out EtcdctlParseError? error)
    {
        var sink = default(CountingSink);
        return ScanText(output, ref sink, out _, out compactRevision, out error, out _) == OperationStatus.Done;
    }

    /// <summary>Reads the revision to compact at.</summary>
    /// <exception cref="EtcdctlParseException">The output is not endpoint status output that prints revisions; the exception says why and where.</exception>
    public static long GetCompactRevision(ReadOnlySpan<char> output) =>
        TryGetCompactRevision(output, out var revision, out var error) ? revision : throw new EtcdctlParseException(error);

    /// <summary>Reads the revision to compact at from UTF-8 bytes.</summary>
    /// <exception cref="EtcdctlParseException">The output is not endpoint status output that prints revisions.</exception>
    public static long GetCompactRevision(ReadOnlySpan<byte> utf8Output) =>
        TryGetCompactRevision(utf8Output, out var revision, out var error) ? revision : throw new EtcdctlParseException(error);

    /// <summary>Reads every endpoint's revision and the revision to compact at, into a new list.</summary>
    /// <exception cref="EtcdctlParseException">The output is not endpoint status output that prints revisions.</exception>
    public static RevisionExtraction Extract(ReadOnlySpan<char> output)
    {
        var sink = new ListSink([]);
        return ScanText(output, ref sink, out _, out var compact, out var error, out var format) == OperationStatus.Done
            ? new RevisionExtraction(format, sink.Items, compact)
            : throw new EtcdctlParseException(error!);
    }

    /// <summary>Reads every endpoint's revision and the revision to compact at from UTF-8 bytes, into a new list.</summary>
    /// <exception cref="EtcdctlParseException">The output is not endpoint status output that prints revisions.</exception>
    public static RevisionExtraction Extract(ReadOnlySpan<byte> utf8Output)
    {
        var sink = new ListSink([]);
        return Scan(utf8Output, ref sink, out _, out var compact, out var error, out var format) == OperationStatus.Done
            ? new RevisionExtraction(format, sink.Items, compact)
            : throw new EtcdctlParseException(error!);
    }

    private static OperationStatus ScanText<TSink>(ReadOnlySpan<char> output, ref TSink sink, out int count, out long compact, out EtcdctlParseError? error, out EtcdctlOutputFormat format)
        where TSink : IRevisionSink, allows ref struct
    {
        var length = Encoding.UTF8.GetByteCount(output);
        byte[]? rented = null;
        var buffer = length <= StackTranscodeLimit ? stackalloc byte[StackTranscodeLimit] : (rented = ArrayPool<byte>.Shared.Rent(length));
        try
        {
            var written = Encoding.UTF8.GetBytes(output, buffer);
            return Scan(buffer[..written], ref sink, out count, out compact, out error, out format);
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static OperationStatus Scan<TSink>(scoped ReadOnlySpan<byte> utf8, ref TSink sink, out int count, out long compact, out EtcdctlParseError? error, out EtcdctlOutputFormat format, bool strict = false)
        where TSink : IRevisionSink, allows ref struct
    {
        count = 0;
        compact = 0;
        format = EtcdctlOutputFormat.Auto;
        var lines = new ByteLines(utf8);
        var sawError = -1;
        while (lines.MoveNext())
        {
            var kind = Utf8Lines.Classify(lines.Current);
            if (kind == LineKind.Noise && sawError < 0 && Utf8Lines.IsErrorLine(lines.Current))
            {
                sawError = lines.Number;
            }

            if (kind == LineKind.HashFailure)
            {
                error = lines.Error(EtcdctlParseErrorKind.WrongCommand, 0, "endpoint status output (this line comes from endpoint hashkv)");
                return OperationStatus.InvalidData;
            }

            if (kind != LineKind.Content)
            {
                continue;
            }

            var line = lines.Current;
            var lead = line.Length - line.TrimStart(" \t"u8).Length;
            var first = line[lead];
            if (first == (byte)'[' && Utf8Lines.LooksLikeJsonArray(line))
            {
                format = EtcdctlOutputFormat.Json;
                return ScanJson(utf8, lines, ref sink, out count, out compact, out error, strict);
            }

            if (first == (byte)'"' && Utf8Lines.TryField(line, out _, out _))
            {
                format = EtcdctlOutputFormat.Fields;
                return ScanFields(lines, ref sink, out count, out compact, out error);
            }

            error = Classify(line, lines, lead);
            return OperationStatus.InvalidData;
        }

        error = new EtcdctlParseError(EtcdctlParseErrorKind.Empty, sawError < 0 ? 0 : sawError, sawError < 0 ? 0 : 1,
            "etcdctl endpoint status output (-w json or -w fields)",
            utf8.IsEmpty ? "an empty string" : sawError >= 0 ? "only etcdctl's error line" : "only blank or log lines");
        return OperationStatus.InvalidData;
    }

    /// <summary>The error for a first line of content that is neither JSON nor fields.</summary>
    private static EtcdctlParseError Classify(ReadOnlySpan<byte> line, ByteLines lines, int lead)
    {
        var first = line[lead];
        if (first == (byte)'{')
        {
            return lines.Error(EtcdctlParseErrorKind.WrongCommand, lead, "endpoint status output, a JSON array (a JSON object comes from member list, alarm list or get)");
        }

        var isTable = first is (byte)'+' or (byte)'|' || (first == 0xE2 && line.Length > lead + 1 && line[lead + 1] is 0x94 or 0x95);
        if (isTable)
        {
            // The header row names the command: endpoint status tables have a DB SIZE column.
            var rest = lines.Remaining;
            var statusTable = line.IndexOf("DB SIZE"u8) >= 0 || rest.IndexOf("DB SIZE"u8) is >= 0 and < 4096;
            return statusTable
                ? lines.Error(EtcdctlParseErrorKind.NotInFormat, lead, "-w json or -w fields output: etcdctl's -w table does not print the revision")
                : lines.Error(EtcdctlParseErrorKind.WrongCommand, lead, "an endpoint status table (this table has no DB SIZE column)");
        }

        var commas = 0;
        var search = line;
        while (commas < 16 && search.IndexOf(", "u8) is var at and >= 0)
        {
            commas++;
            search = search[(at + 2)..];
        }

        return commas >= 9
            ? lines.Error(EtcdctlParseErrorKind.NotInFormat, lead, "-w json or -w fields output: etcdctl's -w simple does not print the revision")
            : lines.Error(EtcdctlParseErrorKind.Malformed, lead, "etcdctl endpoint status output (-w json or -w fields)");
    }

    private static OperationStatus ScanJson<TSink>(scoped ReadOnlySpan<byte> utf8, scoped ByteLines lines, ref TSink sink, out int count, out long compact, out EtcdctlParseError? error, bool strict)
        where TSink : IRevisionSink, allows ref struct
    {
        // The fast path skims the structure and reads each header's numbers exactly; anything it does not expect
        // (escapes, non-ASCII, several lines, other commands, bad or cut-short JSON) goes to the strict Utf8JsonReader
        // loop, which also words the error.
        if (!strict && SkimJson(lines.Current, lines.CurrentStart, ref sink, out var index, out var max, out var end))
        {
            count = 0;
            compact = 0;
            var tail = CheckTail(utf8, end, lines.Number, out error);
            return tail != OperationStatus.Done ? tail : Finish(index > 0, index, max, ref sink, out count, out compact, out error);
        }

        sink.Reset();
        return ScanJsonStrict(utf8, lines, ref sink, out count, out compact, out error);
    }

    /// <summary>
    /// The fast path, for JSON on one line of printable ASCII without escapes (how etcdctl prints it): an array of
    /// objects, each with a "Status" object whose "header" object holds the revision. The walk to each revision is
    /// checked token by token and the numbers are read exactly; the rest of each Status object is skipped by matching
    /// brackets outside strings. Anything else returns <see langword="false"/> and the strict reader loop takes over.
    /// </summary>
    private static bool SkimJson<TSink>(scoped ReadOnlySpan<byte> line, int start, ref TSink sink, out int index, out long max, out int end)
        where TSink : IRevisionSink, allows ref struct
    {
        index = 0;
        max = long.MinValue;
        end = 0;
        if (!AsciiJsonWalker.Accepts(line))
        {
            return false;
        }

        var json = new AsciiJsonWalker(line, 0);
        if (!json.Expect((byte)'['))
        {
            return false;
        }

        json.SkipSpaces();
        if (!json.AtEnd && json.Current == (byte)']')
        {
            end = start + json.Position + 1;
            return true;
        }

        while (true)
        {
            var found = false;
            var memberId = default(MemberId);
            long revision = 0;
            var closed = false;

            // Go prints {"Endpoint":"...","Status":{"header":{...},...}}: match that text directly, else member by member.
            var elementStart = json.Position;
            if (json.TryConsume("{\"Endpoint\":\""u8) && json.RestOfString() && json.TryConsume(",\"Status\":{\"header\":"u8))
            {
                if (!ReadHeader(ref json, out memberId, out revision) || !json.AfterMember(out var statusClosed) ||
                    (!statusClosed && !json.SkipToObjectEnd()) || !json.AfterMember(out closed))
                {
                    return false;
                }

                found = true;
            }
            else
            {
                json.Rewind(elementStart);
                if (!json.Expect((byte)'{'))
                {
                    return false;
                }
            }

            while (!closed)
            {
                if (!json.String(out var name) || !json.Expect((byte)':'))
                {
                    return false;
                }

                if (name.SequenceEqual("Status"u8))
                {
                    if (found || !SkimStatus(ref json, out memberId, out revision))
                    {
                        return false;
                    }

                    found = true;
                }
                else if (name.SequenceEqual("HashKV"u8) || name.SequenceEqual("health"u8) || !json.Value(1))
                {
                    return false;
                }

                if (!json.AfterMember(out closed))
                {
                    return false;
                }
            }

            if (!found)
            {
                return false;
            }

            sink.Add(new EndpointRevision(index++, memberId, revision));
            max = Math.Max(max, revision);
            json.SkipSpaces();
            if (json.AtEnd)
            {
                return false;
            }

            if (json.Current == (byte)']')
            {
                end = start + json.Position + 1;
                return true;
            }

            if (!json.Expect((byte)','))
            {
                return false;
            }
        }
    }

    /// <summary>Reads a Status object up to its header, reads the header exactly, and skips the rest of the Status.</summary>
    private static bool SkimStatus(scoped ref AsciiJsonWalker json, out MemberId memberId, out long revision)
    {
        memberId = default;
        revision = 0;
        if (!json.Expect((byte)'{'))
        {
            return false;
        }

        while (true)
        {
            if (!json.String(out var name) || !json.Expect((byte)':'))
            {
                return false;
            }

            if (!name.SequenceEqual("header"u8))
            {
                if (!json.Value(2) || !json.AfterMember(out var statusClosed) || statusClosed)
                {
                    return false;
                }

                continue;
            }

            if (!ReadHeader(ref json, out memberId, out revision) || !json.AfterMember(out var closed))
            {
                return false;
            }

            // What follows the header in a Status is not needed: skip it by bracket matching.
            return closed || json.SkipToObjectEnd();
        }
    }

    /// <summary>Reads one header object: <c>revision</c> as a non-negative Int64, <c>member_id</c> as a UInt64, both exactly.</summary>
    private static bool ReadHeader(scoped ref AsciiJsonWalker json, out MemberId memberId, out long revision)
    {
        // Go prints the four fields in this order when none is zero: match that text directly, else read member by member.
        var start = json.Position;
        if (json.TryConsume("{\"cluster_id\":"u8) && json.SkipNumber() &&
            json.TryConsume(",\"member_id\":"u8) && json.UInt64(out var canonicalId) &&
            json.TryConsume(",\"revision\":"u8) && json.Int64(out revision) && revision >= 0 &&
            json.TryConsume(",\"raft_term\":"u8) && json.SkipNumber() && json.TryConsume("}"u8))
        {
            memberId = canonicalId;
            return true;
        }

        json.Rewind(start);
        memberId = default;
        revision = 0;
        var hasRevision = false;
        var hasMemberId = false;
        if (!json.Expect((byte)'{'))
        {
            return false;
        }

        json.SkipSpaces();
        if (!json.AtEnd && json.Current == (byte)'}')
        {
            return false;
        }

        var closed = false;
        while (!closed)
        {
            if (!json.String(out var name) || !json.Expect((byte)':'))
            {
                return false;
            }

            if (name.SequenceEqual("revision"u8))
            {
                if (hasRevision || !json.Int64(out revision) || revision < 0)
                {
                    return false;
                }

                hasRevision = true;
            }
            else if (name.SequenceEqual("member_id"u8))
            {
                if (hasMemberId || !json.UInt64(out var id))
                {
                    return false;
                }

                memberId = id;
                hasMemberId = true;
            }
            else if (!json.Value(3))
            {
                return false;
            }

            if (!json.AfterMember(out closed))
            {
                return false;
            }
        }

        return hasRevision;
    }

    private static OperationStatus ScanJsonStrict<TSink>(scoped ReadOnlySpan<byte> utf8, scoped ByteLines lines, ref TSink sink, out int count, out long compact, out EtcdctlParseError? error)
        where TSink : IRevisionSink, allows ref struct
    {
        count = 0;
        compact = 0;
        var start = lines.CurrentStart;
        var json = utf8[start..];
        var reader = new Utf8JsonReader(json, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 64 }));
        var index = 0;
        var found = false;
        var max = long.MinValue;
        try
        {
            if (!reader.Read())
            {
                return Truncated(utf8, out error);
            }

            // Read by hand: an array of {"Endpoint": "...", "Status": {"header": {"member_id": N, "revision": N, ...}, ...}}.
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                error = JsonError(utf8, start, ref reader, EtcdctlParseErrorKind.Malformed, "a JSON array of endpoint statuses");
                return OperationStatus.InvalidData;
            }

            while (true)
            {
                if (!reader.Read())
                {
                    return Truncated(utf8, out error);
                }

                if (reader.TokenType == JsonTokenType.EndArray)
                {
                    break;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    error = JsonError(utf8, start, ref reader, EtcdctlParseErrorKind.Malformed, "an endpoint status object {\"Endpoint\": ..., \"Status\": {...}}");
                    return OperationStatus.InvalidData;
                }

                var entry = ScanJsonEntry(ref reader, out var memberId, out var revision);
                if (entry != EntryResult.Ok)
                {
                    return EntryFailure(utf8, start, ref reader, entry, out error);
                }

                sink.Add(new EndpointRevision(index++, memberId, revision));
                max = Math.Max(max, revision);
                found = true;
            }
        }
        catch (JsonException ex)
        {
            var offset = start + (int)Math.Min(json.Length, ByteOffset(json, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0));
            error = ErrorAt(utf8, offset, EtcdctlParseErrorKind.Malformed, "valid JSON");
            return OperationStatus.InvalidData;
        }

        var end = start + (int)reader.BytesConsumed;
        var tail = CheckTail(utf8, end, LineNumberAt(utf8, end), out error);
        return tail != OperationStatus.Done ? tail : Finish(found, index, max, ref sink, out count, out compact, out error);
    }

    /// <summary>Only blank lines and etcdctl's standard-error lines may follow the array that ends at <paramref name="end"/>.</summary>
    private static OperationStatus CheckTail(ReadOnlySpan<byte> utf8, int end, int endLine, out EtcdctlParseError? error)
    {
        error = null;
        var restOfLine = utf8[end..];
        var newline = restOfLine.IndexOf((byte)'\n');
        var tail = newline < 0 ? restOfLine : restOfLine[..newline];
        if (!tail.Trim(" \t\r"u8).IsEmpty)
        {
            error = ErrorAt(utf8, end + (tail.Length - tail.TrimStart(" \t"u8).Length), EtcdctlParseErrorKind.Malformed, "the end of the output after the JSON array");
            return OperationStatus.InvalidData;
        }

        if (newline >= 0)
        {
            var rest = new ByteLines(utf8, end + newline + 1, endLine + 1);
            while (rest.MoveNext())
            {
                var kind = Utf8Lines.Classify(rest.Current);
                if (kind is LineKind.Content or LineKind.HashFailure)
                {
                    error = rest.Error(EtcdctlParseErrorKind.Malformed, 0, "the end of the output after the JSON array");
                    return OperationStatus.InvalidData;
                }
            }
        }

        return OperationStatus.Done;
    }

    private static OperationStatus Finish<TSink>(bool found, int index, long max, ref TSink sink, out int count, out long compact, out EtcdctlParseError? error)
        where TSink : IRevisionSink, allows ref struct
    {
        count = index;
        compact = 0;
        if (!found)
        {
            error = new EtcdctlParseError(EtcdctlParseErrorKind.Empty, 0, 0, "at least one endpoint status (did every endpoint fail?)", "no endpoint status in the output");
            return OperationStatus.InvalidData;
        }

        compact = max;
        error = null;
        return sink.Overflowed ? OperationStatus.DestinationTooSmall : OperationStatus.Done;
    }

    private static EntryResult ScanJsonEntry(ref Utf8JsonReader reader, out MemberId memberId, out long revision)
    {
        memberId = default;
        revision = 0;
        var hasStatus = false;
        var hasRevision = false;
        while (true)
        {
            if (!reader.Read())
            {
                return EntryResult.Truncated;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return !hasStatus ? EntryResult.NoStatus : hasRevision ? EntryResult.Ok : EntryResult.NoRevision;
            }

            if (reader.ValueTextEquals("Status"u8))
            {
                if (hasStatus)
                {
                    return EntryResult.Duplicate;
                }

                if (!reader.Read())
                {
                    return EntryResult.Truncated;
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return EntryResult.BadStatus;
                }

                hasStatus = true;
                var status = ScanStatus(ref reader, ref memberId, ref revision, ref hasRevision);
                if (status != EntryResult.Ok)
                {
                    return status;
                }
            }
            else if (reader.ValueTextEquals("HashKV"u8))
            {
                return EntryResult.HashKv;
            }
            else if (reader.ValueTextEquals("health"u8))
            {
                return EntryResult.Health;
            }
            else if (!reader.Read() || !reader.TrySkip())
            {
                return EntryResult.Truncated;
            }
        }
    }

    private static EntryResult ScanStatus(ref Utf8JsonReader reader, ref MemberId memberId, ref long revision, ref bool hasRevision)
    {
        while (true)
        {
            if (!reader.Read())
            {
                return EntryResult.Truncated;
            }

            if (reader.TokenType == JsonTokenType.EndObject)
            {
                return EntryResult.Ok;
            }

            if (!reader.ValueTextEquals("header"u8))
            {
                if (!reader.Read() || !reader.TrySkip())
                {
                    return EntryResult.Truncated;
                }

                continue;
            }

            if (!reader.Read())
            {
                return EntryResult.Truncated;
            }

            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return EntryResult.BadHeader;
            }

            var hasMemberId = false;
            while (true)
            {
                if (!reader.Read())
                {
                    return EntryResult.Truncated;
                }

                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    break;
                }

                if (reader.ValueTextEquals("revision"u8))
                {
                    if (hasRevision)
                    {
                        return EntryResult.Duplicate;
                    }

                    if (!reader.Read())
                    {
                        return EntryResult.Truncated;
                    }

                    if (!TryInt64(ref reader, out revision) || revision < 0)
                    {
                        return EntryResult.BadRevision;
                    }

                    hasRevision = true;
                }
                else if (reader.ValueTextEquals("member_id"u8))
                {
                    if (hasMemberId)
                    {
                        return EntryResult.Duplicate;
                    }

                    if (!reader.Read())
                    {
                        return EntryResult.Truncated;
                    }

                    if (!TryUInt64(ref reader, out var id))
                    {
                        return EntryResult.BadMemberId;
                    }

                    memberId = id;
                    hasMemberId = true;
                }
                else if (!reader.Read() || !reader.TrySkip())
                {
                    return EntryResult.Truncated;
                }
            }
        }
    }

    private static bool TryInt64(ref Utf8JsonReader reader, out long value)
    {
        value = 0;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetInt64(out value),
            _ => false,
        };
    }

    private static bool TryUInt64(ref Utf8JsonReader reader, out ulong value)
    {
        value = 0;
        return reader.TokenType switch
        {
            JsonTokenType.Number => reader.TryGetUInt64(out value),
            _ => false,
        };
    }

    private static OperationStatus EntryFailure(ReadOnlySpan<byte> utf8, int start, ref Utf8JsonReader reader, EntryResult result, out EtcdctlParseError error)
    {
        if (result == EntryResult.Truncated)
        {
            return Truncated(utf8, out error);
        }

        var (kind, expected) = result switch
        {
            EntryResult.NoStatus => (EtcdctlParseErrorKind.Malformed, "a \"Status\" object in each endpoint entry"),
            EntryResult.NoRevision => (EtcdctlParseErrorKind.Malformed, "a revision in Status.header (etcd leaves a zero revision out)"),
            EntryResult.BadStatus => (EtcdctlParseErrorKind.Malformed, "the Status object"),
            EntryResult.BadHeader => (EtcdctlParseErrorKind.Malformed, "the header object"),
            EntryResult.BadRevision => (EtcdctlParseErrorKind.Malformed, "revision as a non-negative 64-bit number"),
            EntryResult.BadMemberId => (EtcdctlParseErrorKind.Malformed, "member_id as an unsigned 64-bit number"),
            EntryResult.Duplicate => (EtcdctlParseErrorKind.Malformed, "each property once (etcdctl never prints a property twice)"),
            EntryResult.HashKv => (EtcdctlParseErrorKind.WrongCommand, "endpoint status output (this is endpoint hashkv output)"),
            _ => (EtcdctlParseErrorKind.WrongCommand, "endpoint status output (this is endpoint health output)"),
        };
        error = JsonError(utf8, start, ref reader, kind, expected);
        return OperationStatus.InvalidData;
    }

    private static OperationStatus Truncated(ReadOnlySpan<byte> utf8, out EtcdctlParseError error)
    {
        error = EndOfOutput(utf8, "the rest of the JSON array (the output is cut short)");
        return OperationStatus.NeedMoreData;
    }

    private static OperationStatus ScanFields<TSink>(scoped ByteLines lines, ref TSink sink, out int count, out long compact, out EtcdctlParseError? error)
        where TSink : IRevisionSink, allows ref struct
    {
        // Records of "Key" : value lines, each starting at "ClusterID": the header (ClusterID, MemberID, Revision, RaftTerm),
        // then the status, ending with "Endpoint".
        var index = 0;
        var max = long.MinValue;
        var open = false;
        var hasRevision = false;
        var hasMemberId = false;
        var hasSize = false;
        var hasEndpoint = false;
        long revision = 0;
        ulong memberId = 0;
        var recordLine = 0;
        count = 0;
        compact = 0;
        var first = true;
        do
        {
            var line = lines.Current;
            if (!first && (line.IsEmpty || line[0] != (byte)'"'))
            {
                var kind = Utf8Lines.Classify(line);
                if (kind == LineKind.HashFailure)
                {
                    error = lines.Error(EtcdctlParseErrorKind.WrongCommand, 0, "endpoint status output (this line comes from endpoint hashkv)");
                    return OperationStatus.InvalidData;
                }

                if (kind != LineKind.Content)
                {
                    continue;
                }
            }

            first = false;
            var lead = line.Length - line.TrimStart(" \t"u8).Length;
            if (!Utf8Lines.TryField(line, out var key, out var value))
            {
                error = lines.Error(lines.IsLast ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, lead, "a field line such as '\"Revision\" : 14'");
                return lines.IsLast ? OperationStatus.NeedMoreData : OperationStatus.InvalidData;
            }

            var valueColumn = line.Length - value.Length;
            var field = FieldOf(key);
            if (field == FieldKey.ClusterId)
            {
                if (open && !CloseRecord(ref sink, ref index, ref max, hasRevision, hasSize, hasEndpoint, revision, memberId, recordLine, lines, out error, isLast: false))
                {
                    return OperationStatus.InvalidData;
                }

                open = true;
                hasRevision = hasMemberId = hasSize = hasEndpoint = false;
                revision = 0;
                memberId = 0;
                recordLine = lines.Number;
                continue;
            }

            if (!open)
            {
                var other = field == FieldKey.Endpoint ? "endpoint health" : "another etcdctl command";
                error = lines.Error(EtcdctlParseErrorKind.WrongCommand, lead, $"endpoint status output, records starting with \"ClusterID\" (this looks like {other} output)");
                return OperationStatus.InvalidData;
            }

            switch (field)
            {
                case FieldKey.Revision:
                    if (hasRevision)
                    {
                        error = lines.Error(EtcdctlParseErrorKind.Malformed, lead, "each field once per record (etcdctl never prints \"Revision\" twice)");
                        return OperationStatus.InvalidData;
                    }

                    if (!Utf8Parser.TryParse(value, out revision, out var used) || used != value.Length || revision < 0)
                    {
                        error = lines.Error(EtcdctlParseErrorKind.Malformed, valueColumn, "Revision as a non-negative 64-bit number");
                        return OperationStatus.InvalidData;
                    }

                    hasRevision = true;
                    break;
                case FieldKey.MemberId:
                    if (hasMemberId)
                    {
                        error = lines.Error(EtcdctlParseErrorKind.Malformed, lead, "each field once per record (etcdctl never prints \"MemberID\" twice)");
                        return OperationStatus.InvalidData;
                    }

                    if (!Utf8Parser.TryParse(value, out memberId, out var usedId) || usedId != value.Length)
                    {
                        error = lines.Error(EtcdctlParseErrorKind.Malformed, valueColumn, "MemberID as an unsigned 64-bit number");
                        return OperationStatus.InvalidData;
                    }

                    hasMemberId = true;
                    break;
                case FieldKey.DbSize:
                    hasSize = true;
                    break;
                case FieldKey.Endpoint:
                    hasEndpoint = true;
                    break;
                case FieldKey.OtherCommand:
                    error = lines.Error(EtcdctlParseErrorKind.WrongCommand, lead, "endpoint status output (this record comes from another etcdctl command)");
                    return OperationStatus.InvalidData;
            }
        }
        while (lines.MoveNext());

        if (open && !CloseRecord(ref sink, ref index, ref max, hasRevision, hasSize, hasEndpoint, revision, memberId, recordLine, lines, out error, isLast: true))
        {
            return error!.Kind == EtcdctlParseErrorKind.Truncated ? OperationStatus.NeedMoreData : OperationStatus.InvalidData;
        }

        return Finish(index > 0, index, max, ref sink, out count, out compact, out error);
    }

    private static bool CloseRecord<TSink>(ref TSink sink, ref int index, ref long max, bool hasRevision, bool hasSize, bool hasEndpoint, long revision, ulong memberId, int recordLine, scoped ByteLines lines, out EtcdctlParseError? error, bool isLast)
        where TSink : IRevisionSink, allows ref struct
    {
        if (!hasRevision || !hasSize || !hasEndpoint)
        {
            var missing = !hasRevision ? "Revision" : !hasSize ? "DBSize" : "Endpoint";
            error = isLast
                ? new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, lines.Number, lines.Current.Length + 1, $"a \"{missing}\" line in this record", "the end of the output")
                : new EtcdctlParseError(hasSize ? EtcdctlParseErrorKind.Malformed : EtcdctlParseErrorKind.WrongCommand, recordLine, 1,
                    hasSize ? $"a \"{missing}\" line in the record starting here" : "endpoint status output (this record has no \"DBSize\")", null);
            return false;
        }

        sink.Add(new EndpointRevision(index++, memberId, revision));
        max = Math.Max(max, revision);
        error = null;
        return true;
    }

    private static EtcdctlParseError JsonError(ReadOnlySpan<byte> utf8, int start, ref Utf8JsonReader reader, EtcdctlParseErrorKind kind, string expected) =>
        ErrorAt(utf8, start + (int)reader.TokenStartIndex, kind, expected);

    private static EtcdctlParseError ErrorAt(ReadOnlySpan<byte> utf8, int offset, EtcdctlParseErrorKind kind, string expected)
    {
        offset = Math.Clamp(offset, 0, utf8.Length);
        var lineStart = utf8[..offset].LastIndexOf((byte)'\n') + 1;
        var lineEnd = utf8[lineStart..].IndexOf((byte)'\n');
        var line = lineEnd < 0 ? utf8[lineStart..] : utf8.Slice(lineStart, lineEnd);
        return Utf8Lines.Error(kind, LineNumberAt(utf8, offset), line, offset - lineStart, expected);
    }

    private static EtcdctlParseError EndOfOutput(ReadOnlySpan<byte> utf8, string expected)
    {
        var trimmed = utf8.TrimEnd("\r\n"u8);
        var lineStart = trimmed.LastIndexOf((byte)'\n') + 1;
        var column = Encoding.UTF8.GetCharCount(trimmed[lineStart..]) + 1;
        return new EtcdctlParseError(EtcdctlParseErrorKind.Truncated, LineNumberAt(utf8, trimmed.Length), column, expected, "the end of the output");
    }

    private static int LineNumberAt(ReadOnlySpan<byte> utf8, int offset) => utf8[..Math.Min(offset, utf8.Length)].Count((byte)'\n') + 1;

    private static long ByteOffset(ReadOnlySpan<byte> utf8, long line, long bytePositionInLine)
    {
        var offset = 0;
        for (long i = 0; i < line; i++)
        {
            var next = utf8[offset..].IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            offset += next + 1;
        }

        return offset + bytePositionInLine;
    }

    private enum FieldKey
    {
        Other,
        ClusterId,
        MemberId,
        Revision,
        DbSize,
        Endpoint,
        OtherCommand,
    }

    /// <summary>Which <c>-w fields</c> key this is (the ones the revision scan cares about).</summary>
    private static FieldKey FieldOf(ReadOnlySpan<byte> key) => key.Length switch
    {
        9 when key.SequenceEqual("ClusterID"u8) => FieldKey.ClusterId,
        9 when key.SequenceEqual("AlarmType"u8) => FieldKey.OtherCommand,
        8 when key.SequenceEqual("MemberID"u8) => FieldKey.MemberId,
        8 when key.SequenceEqual("Revision"u8) => FieldKey.Revision,
        8 when key.SequenceEqual("Endpoint"u8) => FieldKey.Endpoint,
        6 when key.SequenceEqual("DBSize"u8) => FieldKey.DbSize,
        6 when key.SequenceEqual("Health"u8) => FieldKey.OtherCommand,
        4 when key.SequenceEqual("Hash"u8) => FieldKey.OtherCommand,
        2 when key.SequenceEqual("ID"u8) => FieldKey.OtherCommand,
        _ => FieldKey.Other,
    };

    private enum EntryResult
    {
        Ok,
        Truncated,
        NoStatus,
        NoRevision,
        BadStatus,
        BadHeader,
        BadRevision,
        BadMemberId,
        Duplicate,
        HashKv,
        Health,
    }

    private interface IRevisionSink
    {
        bool Overflowed { get; }

        void Reset();

        void Add(EndpointRevision revision);
    }

    private ref struct EndpointRevisionSink(Span<EndpointRevision> destination) : IRevisionSink
    {
        private readonly Span<EndpointRevision> _destination = destination;
        private int _written;

        public bool Overflowed { get; private set; }

        public void Reset()
        {
            _written = 0;
            Overflowed = false;
        }

        public void Add(EndpointRevision revision)
        {
            if (_written < _destination.Length)
            {
                _destination[_written++] = revision;
            }
            else
            {
                Overflowed = true;
            }
        }
    }

    private ref struct Int64Sink(Span<long> destination) : IRevisionSink
    {
        private readonly Span<long> _destination = destination;
        private int _written;

        public bool Overflowed { get; private set; }

        public void Reset()
        {
            _written = 0;
            Overflowed = false;
        }

        public void Add(EndpointRevision revision)
        {
            if (_written < _destination.Length)
            {
                _destination[_written++] = revision.Revision;
            }
            else
            {
                Overflowed = true;
            }
        }
    }

    private struct CountingSink : IRevisionSink
    {
        public readonly bool Overflowed => false;

        public readonly void Reset()
        {
        }

        public readonly void Add(EndpointRevision revision)
        {
        }
    }

    private readonly struct ListSink(List<EndpointRevision> items) : IRevisionSink
    {
        public List<EndpointRevision> Items { get; } = items;

        public bool Overflowed => false;

        public void Reset() => Items.Clear();

        public void Add(EndpointRevision revision) => Items.Add(revision);
    }
}
