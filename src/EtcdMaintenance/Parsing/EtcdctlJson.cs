using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>Where a property name lies in the output, to refuse a name given twice in one object without allocating.</summary>
internal readonly record struct JsonName(int Depth, int Start, int Length);

/// <summary>
/// The one reader of etcdctl's JSON output: a <see cref="Utf8JsonReader"/> over the JSON part of the captured output
/// (UTF-8) that turns every problem into an <see cref="EtcdctlParseException"/> with the line and column in the whole
/// output. It checks every byte, and refuses what etcdctl never prints: a property twice in one object, numbers in
/// quotes. It allocates nothing unless the caller asks for strings.
/// </summary>
internal ref struct EtcdctlJson
{
    private readonly ReadOnlySpan<byte> _utf8;
    private readonly int _start;
    private readonly Span<JsonName> _names;
    private int _nameCount;
    private Utf8JsonReader _reader;

    /// <summary>Starts reading the JSON value at byte <paramref name="start"/> of <paramref name="utf8"/> (the whole output).</summary>
    /// <param name="utf8">The whole output.</param>
    /// <param name="start">Where the JSON value starts.</param>
    /// <param name="names">Room for the property names of the enclosing objects (stack memory; 64 is plenty).</param>
    public EtcdctlJson(ReadOnlySpan<byte> utf8, int start, Span<JsonName> names)
    {
        _utf8 = utf8;
        _start = start;
        _names = names;
        _reader = new Utf8JsonReader(utf8[start..], isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 64 }));
    }

    public readonly JsonTokenType TokenType => _reader.TokenType;

    /// <summary>The byte offset in the whole output just after the JSON read so far.</summary>
    public readonly int End => _start + (int)_reader.BytesConsumed;

    public void Read(string expected)
    {
        bool more;
        try
        {
            more = _reader.Read();
        }
        catch (JsonException ex)
        {
            throw FromJsonException(ex, expected);
        }

        if (!more)
        {
            throw new EtcdctlParseException(Utf8Text.EndOfOutput(_utf8, expected));
        }

        if (_reader.TokenType == JsonTokenType.StartObject)
        {
            // The properties of a new object are at the next depth: forget a finished sibling's names.
            while (_nameCount > 0 && _names[_nameCount - 1].Depth > _reader.CurrentDepth)
            {
                _nameCount--;
            }
        }
        else if (_reader.TokenType == JsonTokenType.PropertyName)
        {
            RememberName();
        }
    }

    private void RememberName()
    {
        var depth = _reader.CurrentDepth;
        for (var i = _nameCount - 1; i >= 0 && _names[i].Depth >= depth; i--)
        {
            if (_names[i].Depth == depth && _reader.ValueTextEquals(_utf8.Slice(_names[i].Start, _names[i].Length)))
            {
                throw Error(EtcdctlParseErrorKind.Malformed, $"each property once (etcdctl never prints \"{_reader.GetString()}\" twice in one object)");
            }
        }

        if (_nameCount < _names.Length)
        {
            _names[_nameCount++] = new JsonName(depth, _start + (int)_reader.TokenStartIndex + 1, _reader.ValueSpan.Length);
        }
    }

    /// <summary>
    /// Reads the opening <c>[</c> or <c>{</c> of the output; the other one means output of another command
    /// (<see cref="EtcdctlParseErrorKind.WrongCommand"/>), anything else malformed output.
    /// </summary>
    /// <param name="type"><see cref="JsonTokenType.StartArray"/> or <see cref="JsonTokenType.StartObject"/>.</param>
    /// <param name="expected">What the output should be, e.g. <c>endpoint status output, a JSON array of {...}</c>.</param>
    public void Start(JsonTokenType type, string expected)
    {
        Read(expected);
        if (_reader.TokenType != type)
        {
            throw Error(_reader.TokenType is JsonTokenType.StartArray or JsonTokenType.StartObject ? EtcdctlParseErrorKind.WrongCommand : EtcdctlParseErrorKind.Malformed, expected);
        }
    }

    /// <summary>
    /// Skips the value of a property the caller does not read; when <paramref name="other"/> is still unknown, sets it to
    /// the etcdctl command whose JSON has a property of that name (<c>Status</c>: endpoint status, <c>members</c>: member list, ...).
    /// </summary>
    public void SkipOther(ref string? other)
    {
        other ??= NameIs("Status"u8) ? "endpoint status" : NameIs("HashKV"u8) ? "endpoint hashkv" : NameIs("health"u8) ? "endpoint health"
            : NameIs("members"u8) ? "member list" : NameIs("alarms"u8) ? "alarm list" : NameIs("kvs"u8) || NameIs("count"u8) ? "get" : null;
        SkipValue();
    }

    public void Expect(JsonTokenType type, string expected)
    {
        Read(expected);
        if (_reader.TokenType != type)
        {
            throw Error(EtcdctlParseErrorKind.Malformed, expected);
        }
    }

    /// <summary>Reads the next property name of the current object; <see langword="false"/> at its end.</summary>
    public bool NextProperty(string expected)
    {
        Read(expected);
        return _reader.TokenType != JsonTokenType.EndObject;
    }

    /// <summary>Reads the next object of the current array; <see langword="false"/> at its end.</summary>
    /// <param name="expected">What may come: the item or <c>]</c>.</param>
    /// <param name="expectedItem">What the item must be.</param>
    public bool NextObject(string expected, string expectedItem)
    {
        Read(expected);
        return _reader.TokenType == JsonTokenType.EndArray ? false
            : _reader.TokenType == JsonTokenType.StartObject ? true
            : throw Error(EtcdctlParseErrorKind.Malformed, expectedItem);
    }

    public readonly bool NameIs(ReadOnlySpan<byte> name) => _reader.ValueTextEquals(name);

    /// <summary>The current property name or string value.</summary>
    public readonly string Name() => _reader.GetString() ?? string.Empty;

    public readonly bool TryGetInt32(out int value)
    {
        value = 0;
        return _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt32(out value);
    }

    /// <summary>Reads and skips the value of the current property.</summary>
    public void SkipValue()
    {
        Read("a JSON value");
        bool done;
        try
        {
            done = _reader.TrySkip();
        }
        catch (JsonException ex)
        {
            throw FromJsonException(ex, "a JSON value");
        }

        if (!done)
        {
            throw new EtcdctlParseException(Utf8Text.EndOfOutput(_utf8, "the rest of a JSON value"));
        }
    }

    public ulong UInt64(string what)
    {
        Read(what);
        return _reader.TokenType == JsonTokenType.Number && _reader.TryGetUInt64(out var value) ? value : throw Error(EtcdctlParseErrorKind.Malformed, what);
    }

    public long Int64(string what)
    {
        Read(what);
        return _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt64(out var value) ? value : throw Error(EtcdctlParseErrorKind.Malformed, what);
    }

    /// <summary>A revision or a size: etcd never reports one below zero.</summary>
    public long NonNegativeInt64(string what) => Int64(what) is var value and >= 0 ? value : throw Error(EtcdctlParseErrorKind.Malformed, what);

    public bool Boolean(string what)
    {
        Read(what);
        return _reader.TokenType switch
        {
            JsonTokenType.True => true,
            JsonTokenType.False => false,
            _ => throw Error(EtcdctlParseErrorKind.Malformed, what),
        };
    }

    /// <summary>Reads a string; with <paramref name="materialize"/> off it only checks the value is one (and returns the empty string).</summary>
    public string String(string what, bool materialize = true)
    {
        Read(what);
        return _reader.TokenType != JsonTokenType.String ? throw Error(EtcdctlParseErrorKind.Malformed, what)
            : materialize ? _reader.GetString()! : string.Empty;
    }

    /// <summary>Reads an array of strings (or <c>null</c>, read as empty); with <paramref name="materialize"/> off it only checks it.</summary>
    public IReadOnlyList<string> StringArray(string what, bool materialize = true)
    {
        Read(what);
        if (_reader.TokenType == JsonTokenType.Null)
        {
            return [];
        }

        if (_reader.TokenType != JsonTokenType.StartArray)
        {
            throw Error(EtcdctlParseErrorKind.Malformed, what);
        }

        List<string>? items = null;
        while (true)
        {
            Read(what);
            if (_reader.TokenType == JsonTokenType.EndArray)
            {
                return (IReadOnlyList<string>?)items ?? [];
            }

            if (_reader.TokenType != JsonTokenType.String)
            {
                throw Error(EtcdctlParseErrorKind.Malformed, what);
            }

            if (materialize)
            {
                (items ??= []).Add(_reader.GetString()!);
            }
        }
    }

    /// <summary>The error at the current token.</summary>
    public readonly EtcdctlParseException Error(EtcdctlParseErrorKind kind, string expected) =>
        new(Utf8Text.ErrorAt(_utf8, _start + (int)_reader.TokenStartIndex, kind, expected));

    /// <summary>
    /// Checks that only blank lines and etcdctl's standard-error lines follow the JSON value, and returns the byte
    /// offset where those lines start.
    /// </summary>
    public readonly int CheckEnd()
    {
        var end = End;
        var newline = _utf8[end..].IndexOf((byte)'\n');
        var restOfLine = newline < 0 ? _utf8[end..] : _utf8.Slice(end, newline);
        var blank = restOfLine.TrimStart(" \t\r"u8);
        if (!blank.IsEmpty)
        {
            var expected = EtcdctlText.Classify(restOfLine) == LineKind.Content ? "the end of the output after the JSON value" : "a line break after the JSON value";
            throw new EtcdctlParseException(Utf8Text.ErrorAt(_utf8, end + restOfLine.Length - blank.Length, EtcdctlParseErrorKind.Malformed, expected));
        }

        var next = newline < 0 ? _utf8.Length : end + newline + 1;
        foreach (var line in new Utf8Lines(_utf8, next))
        {
            if (EtcdctlText.Classify(line.Text) == LineKind.Content)
            {
                var lead = line.Text.Length - line.Text.TrimStart(" \t"u8).Length;
                throw new EtcdctlParseException(Utf8Text.ErrorAt(_utf8, line.Start + lead, EtcdctlParseErrorKind.Malformed, "the end of the output after the JSON value"));
            }
        }

        return next;
    }

    private readonly EtcdctlParseException FromJsonException(JsonException ex, string expected)
    {
        // Utf8JsonReader counts lines and bytes from where the JSON starts.
        var offset = _start;
        for (long i = 0; i < (ex.LineNumber ?? 0) && _utf8[offset..].IndexOf((byte)'\n') is var next and >= 0; i++)
        {
            offset += next + 1;
        }

        offset = (int)Math.Min(_utf8.Length, offset + (ex.BytePositionInLine ?? 0));
        var atEnd = _utf8[offset..].Trim(" \t\r\n"u8).IsEmpty;
        return new(Utf8Text.ErrorAt(_utf8, offset, atEnd ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed, atEnd ? expected : "valid JSON"));
    }
}
