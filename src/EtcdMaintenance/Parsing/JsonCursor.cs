using System.Text;
using System.Text.Json;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// A <see cref="Utf8JsonReader"/> over the JSON part of captured etcdctl output that turns every problem into an
/// <see cref="EtcdctlParseException"/> with the line and column in the original text. It refuses what etcdctl never
/// prints: a property twice in one object, and numbers in quotes.
/// </summary>
internal ref struct JsonCursor
{
    private readonly OutputText _text;
    private readonly byte[] _utf8;
    private readonly int _baseOffset;
    private Utf8JsonReader _reader;
    private List<HashSet<string>>? _names;

    /// <summary>Starts reading the JSON value that begins at <paramref name="first"/>; text after it is left for <see cref="EndOffset"/>.</summary>
    public JsonCursor(OutputText text, TextLine first)
    {
        _text = text;
        _baseOffset = first.Start;
        _utf8 = Encoding.UTF8.GetBytes(text.Text, first.Start, text.Text.Length - first.Start);
        _reader = new Utf8JsonReader(_utf8, isFinalBlock: false, new JsonReaderState(new JsonReaderOptions { AllowMultipleValues = true, MaxDepth = 64 }));
    }

    public readonly JsonTokenType TokenType => _reader.TokenType;

    /// <summary>The offset in the text just after the JSON read so far.</summary>
    public readonly int EndOffset => _baseOffset + Encoding.UTF8.GetCharCount(_utf8.AsSpan(0, (int)_reader.BytesConsumed));

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
            throw _text.EndOfOutput(expected);
        }

        if (_reader.TokenType == JsonTokenType.StartObject)
        {
            NamesAt(_reader.CurrentDepth + 1).Clear();
        }
        else if (_reader.TokenType == JsonTokenType.PropertyName && !NamesAt(_reader.CurrentDepth).Add(_reader.GetString()!))
        {
            throw Error(EtcdctlParseErrorKind.Malformed, $"each property once (etcdctl never prints \"{_reader.GetString()}\" twice in one object)");
        }
    }

    /// <summary>The property names seen so far in the object whose properties are at <paramref name="depth"/>.</summary>
    private HashSet<string> NamesAt(int depth)
    {
        _names ??= [];
        while (_names.Count <= depth)
        {
            _names.Add(new HashSet<string>(StringComparer.Ordinal));
        }

        return _names[depth];
    }

    public void Expect(JsonTokenType type, string expected)
    {
        Read(expected);
        if (_reader.TokenType != type)
        {
            throw Error(EtcdctlParseErrorKind.Malformed, expected);
        }
    }

    public readonly bool NameIs(ReadOnlySpan<byte> name) => _reader.ValueTextEquals(name);

    /// <summary>The current property name or string value.</summary>
    public readonly string Name() => _reader.GetString() ?? string.Empty;

    public readonly bool TryGetInt32(out int value)
    {
        value = 0;
        return _reader.TokenType == JsonTokenType.Number && _reader.TryGetInt32(out value);
    }

    public void Skip()
    {
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
            throw _text.EndOfOutput("the rest of a JSON value");
        }
    }

    public ulong UInt64(string what)
    {
        Read(what);
        return TryNumber(out ulong value) ? value : throw Error(EtcdctlParseErrorKind.Malformed, what);
    }

    public long Int64(string what)
    {
        Read(what);
        return TryNumber(out long value) ? value : throw Error(EtcdctlParseErrorKind.Malformed, what);
    }

    /// <summary>A revision or a size: etcd never reports one below zero.</summary>
    public long NonNegativeInt64(string what)
    {
        Read(what);
        return TryNumber(out long value) && value >= 0 ? value : throw Error(EtcdctlParseErrorKind.Malformed, what);
    }

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

    public string String(string what)
    {
        Read(what);
        return _reader.TokenType == JsonTokenType.String ? _reader.GetString()! : throw Error(EtcdctlParseErrorKind.Malformed, what);
    }

    /// <summary>Reads an array of strings (or <c>null</c>, read as empty).</summary>
    public IReadOnlyList<string> StringArray(string what)
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

        var items = new List<string>();
        while (true)
        {
            Read(what);
            if (_reader.TokenType == JsonTokenType.EndArray)
            {
                return items;
            }

            items.Add(_reader.TokenType == JsonTokenType.String ? _reader.GetString()! : throw Error(EtcdctlParseErrorKind.Malformed, what));
        }
    }

    public readonly EtcdctlParseException Error(EtcdctlParseErrorKind kind, string expected) =>
        _text.ErrorAt(kind, _baseOffset + Encoding.UTF8.GetCharCount(_utf8.AsSpan(0, (int)_reader.TokenStartIndex)), expected);

    /// <summary>Checks that only blank lines and etcdctl's standard-error lines follow the JSON value; returns those lines.</summary>
    public readonly List<TextLine> RestOfOutput()
    {
        var end = EndOffset;
        var others = new List<TextLine>();
        foreach (var line in _text.Lines)
        {
            if (line.End <= end)
            {
                continue;
            }

            var from = Math.Max(line.Start, end);
            var span = _text.Text.AsSpan(from, line.End - from);
            switch (OutputLines.Classify(span))
            {
                case LineKind.Blank:
                    break;
                case LineKind.Content:
                    throw _text.ErrorAt(EtcdctlParseErrorKind.Malformed, from + (span.Length - span.TrimStart().Length), "the end of the output after the JSON value");
                default:
                    if (line.Start >= end)
                    {
                        others.Add(line);
                    }
                    else
                    {
                        throw _text.ErrorAt(EtcdctlParseErrorKind.Malformed, from, "a line break after the JSON value");
                    }

                    break;
            }
        }

        return others;
    }

    private readonly bool TryNumber(out ulong value)
    {
        value = 0;
        return _reader.TokenType switch
        {
            JsonTokenType.Number => _reader.TryGetUInt64(out value),
            _ => false,
        };
    }

    private readonly bool TryNumber(out long value)
    {
        value = 0;
        return _reader.TokenType switch
        {
            JsonTokenType.Number => _reader.TryGetInt64(out value),
            _ => false,
        };
    }

    private readonly EtcdctlParseException FromJsonException(JsonException ex, string expected)
    {
        var offset = ByteOffset(_utf8, ex.LineNumber ?? 0, ex.BytePositionInLine ?? 0);
        var atEnd = offset >= _utf8.Length || _utf8.AsSpan(offset).Trim(" \t\r\n"u8).IsEmpty;
        return _text.ErrorAt(
            atEnd ? EtcdctlParseErrorKind.Truncated : EtcdctlParseErrorKind.Malformed,
            _baseOffset + Encoding.UTF8.GetCharCount(_utf8.AsSpan(0, offset)),
            atEnd ? expected : "valid JSON");
    }

    private static int ByteOffset(byte[] utf8, long line, long bytePositionInLine)
    {
        var offset = 0;
        for (long i = 0; i < line; i++)
        {
            var next = utf8.AsSpan(offset).IndexOf((byte)'\n');
            if (next < 0)
            {
                break;
            }

            offset += next + 1;
        }

        return (int)Math.Min(utf8.Length, offset + bytePositionInLine);
    }
}
