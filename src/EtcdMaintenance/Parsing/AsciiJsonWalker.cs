using System.Buffers;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace EtcdMaintenance.Parsing;

/// <summary>
/// The revision fast path's reader, for one line of JSON made only of printable ASCII without backslashes (what Go's
/// encoder prints for etcdctl; the caller checks that first, so every string ends at the next quote). It checks the
/// grammar of what it walks, and can skip the rest of an object by matching brackets outside strings with 64-byte SIMD
/// masks, without checking the grammar inside it.
/// </summary>
internal ref struct AsciiJsonWalker(ReadOnlySpan<byte> json, int position)
{
    private const int MaxDepth = 64;

    private readonly ReadOnlySpan<byte> _json = json;

    public int Position { get; private set; } = position;

    public readonly bool AtEnd => Position >= _json.Length;

    public readonly byte Current => _json[Position];

    private static readonly SearchValues<byte> s_plain = SearchValues.Create(
        [.. Enumerable.Range(0x20, 0x7F - 0x20).Where(b => b != '\\').Select(b => (byte)b)]);

    /// <summary>Whether the line can take the fast path: printable ASCII only, no backslash.</summary>
    public static bool Accepts(ReadOnlySpan<byte> line) => line.IndexOfAnyExcept(s_plain) < 0;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void SkipSpaces()
    {
        var p = Position;
        if ((uint)p < (uint)_json.Length && _json[p] != (byte)' ')
        {
            return;
        }

        while (p < _json.Length && _json[p] == (byte)' ')
        {
            p++;
        }

        Position = p;
    }

    public bool Expect(byte expected)
    {
        SkipSpaces();
        if (Position >= _json.Length || _json[Position] != expected)
        {
            return false;
        }

        Position++;
        return true;
    }

    public bool String(out ReadOnlySpan<byte> content)
    {
        content = default;
        SkipSpaces();
        if (Position >= _json.Length || _json[Position] != (byte)'"')
        {
            return false;
        }

        // Most strings here are short names: look at them byte by byte before calling the vectorized search.
        var rest = _json[(Position + 1)..];
        var close = -1;
        var shortRun = Math.Min(rest.Length, 16);
        for (var i = 0; i < shortRun; i++)
        {
            if (rest[i] == (byte)'"')
            {
                close = i;
                break;
            }
        }

        if (close < 0 && rest.Length > 16)
        {
            close = rest[16..].IndexOf((byte)'"');
            close = close < 0 ? -1 : close + 16;
        }

        if (close < 0)
        {
            return false;
        }

        content = _json.Slice(Position + 1, close);
        Position += close + 2;
        return true;
    }

    /// <summary>Consumes <paramref name="literal"/> if the text continues with exactly it.</summary>
    public bool TryConsume(ReadOnlySpan<byte> literal)
    {
        if (!_json[Position..].StartsWith(literal))
        {
            return false;
        }

        Position += literal.Length;
        return true;
    }

    /// <summary>Moves past the rest of a string whose opening quote has been consumed (strings here have no escapes).</summary>
    public bool RestOfString()
    {
        var close = _json[Position..].IndexOf((byte)'"');
        if (close < 0)
        {
            return false;
        }

        Position += close + 1;
        return true;
    }

    /// <summary>Moves back to a position read earlier (to retry a shortcut the long way).</summary>
    public void Rewind(int position) => Position = position;

    /// <summary>After an object member: <c>,</c> or <c>}</c> (<paramref name="closed"/>).</summary>
    public bool AfterMember(out bool closed)
    {
        SkipSpaces();
        closed = false;
        if (Position >= _json.Length)
        {
            return false;
        }

        var c = _json[Position++];
        closed = c == (byte)'}';
        return closed || c == (byte)',';
    }

    /// <summary>An integer as <see cref="System.Text.Json.Utf8JsonReader.TryGetInt64"/> reads one (a JSON number without fraction or exponent), or a string of digits.</summary>
    public bool Int64(out long value)
    {
        value = 0;
        SkipSpaces();
        if (Position < _json.Length && _json[Position] == (byte)'"')
        {
            // etcdctl never quotes a number: the strict reader words the refusal.
            return false;
        }

        var negative = Position < _json.Length && _json[Position] == (byte)'-';
        if (negative)
        {
            Position++;
        }

        if (!Digits(out var magnitude) || magnitude > (negative ? (ulong)long.MaxValue + 1 : long.MaxValue))
        {
            return false;
        }

        value = negative ? (long)(0 - magnitude) : (long)magnitude;
        return true;
    }

    /// <summary>An unsigned integer as <see cref="System.Text.Json.Utf8JsonReader.TryGetUInt64"/> reads one, or a string of digits.</summary>
    public bool UInt64(out ulong value)
    {
        value = 0;
        SkipSpaces();
        if (Position < _json.Length && _json[Position] == (byte)'"')
        {
            // etcdctl never quotes a number: the strict reader words the refusal.
            return false;
        }

        return Digits(out value);
    }

    /// <summary>Skips a number, checking its grammar.</summary>
    public bool SkipNumber()
    {
        SkipSpaces();
        return Number();
    }

    /// <summary>
    /// Reads JSON integer digits (no leading zero, no fraction or exponent after them) into a UInt64, or fails on
    /// overflow; the position moves only on success.
    /// </summary>
    private bool Digits(out ulong value)
    {
        value = 0;
        var p = Position;
        if (p >= _json.Length || !IsDigit(_json[p]))
        {
            return false;
        }

        if (_json[p] == (byte)'0')
        {
            p++;
        }
        else
        {
            var run = _json[p..];
            var length = run.IndexOfAnyExceptInRange((byte)'0', (byte)'9');
            run = length < 0 ? run : run[..length];
            if (run.Length > 20)
            {
                return false;
            }

            // Nineteen digits always fit in a UInt64; a twentieth is added with an overflow check.
            var fits = run.Length < 20 ? run : run[..19];
            foreach (var b in fits)
            {
                value = (value * 10) + (uint)(b - '0');
            }

            if (run.Length == 20)
            {
                var digit = (uint)(run[19] - '0');
                if (value > (ulong.MaxValue - digit) / 10)
                {
                    return false;
                }

                value = (value * 10) + digit;
            }

            p += run.Length;
        }

        if (p < _json.Length && (_json[p] == (byte)'.' || (_json[p] | 0x20) == (byte)'e' || IsDigit(_json[p])))
        {
            return false;
        }

        Position = p;
        return true;
    }

    /// <summary>Skips one value, checking its grammar.</summary>
    public bool Value(int depth)
    {
        SkipSpaces();
        if (Position >= _json.Length)
        {
            return false;
        }

        switch (_json[Position])
        {
            case (byte)'"':
                return String(out _);
            case (byte)'{':
                if (depth >= MaxDepth)
                {
                    return false;
                }

                Position++;
                SkipSpaces();
                if (Position < _json.Length && _json[Position] == (byte)'}')
                {
                    Position++;
                    return true;
                }

                while (true)
                {
                    if (!String(out _) || !Expect((byte)':') || !Value(depth + 1) || !AfterMember(out var closed))
                    {
                        return false;
                    }

                    if (closed)
                    {
                        return true;
                    }
                }

            case (byte)'[':
                if (depth >= MaxDepth)
                {
                    return false;
                }

                Position++;
                SkipSpaces();
                if (Position < _json.Length && _json[Position] == (byte)']')
                {
                    Position++;
                    return true;
                }

                while (true)
                {
                    if (!Value(depth + 1))
                    {
                        return false;
                    }

                    SkipSpaces();
                    if (Position >= _json.Length)
                    {
                        return false;
                    }

                    var c = _json[Position++];
                    if (c == (byte)']')
                    {
                        return true;
                    }

                    if (c != (byte)',')
                    {
                        return false;
                    }
                }

            case (byte)'t':
                return Literal("true"u8);
            case (byte)'f':
                return Literal("false"u8);
            case (byte)'n':
                return Literal("null"u8);
            default:
                return Number();
        }
    }

    /// <summary>
    /// From inside an object (its <c>{</c> consumed, the position outside any string), moves past the <c>}</c> that
    /// closes it: brackets outside strings are matched, kind for kind, 64 bytes at a time; the grammar in between is
    /// not checked.
    /// </summary>
    public bool SkipToObjectEnd()
    {
        ulong kinds = 0; // one bit per open bracket: 1 for '[', 0 for '{'; the object itself is bit 0.
        var depth = 1;
        var inString = false;
        var p = Position;
        while (p < _json.Length)
        {
            ulong quotes, opens, closes, squares, valid;
            if (p + 64 <= _json.Length)
            {
                (quotes, opens, closes, squares) = Masks(_json.Slice(p, 64));
                valid = ulong.MaxValue;
            }
            else if (_json.Length >= 64)
            {
                // The last, partial block: read the final 64 bytes and shift away the ones already seen.
                var seen = 64 - (_json.Length - p);
                (quotes, opens, closes, squares) = Masks(_json[^64..]);
                (quotes, opens, closes, squares) = (quotes >> seen, opens >> seen, closes >> seen, squares >> seen);
                valid = ulong.MaxValue >> seen;
            }
            else
            {
                (quotes, opens, closes, squares) = ShortMasks(_json[p..]);
                valid = (1UL << (_json.Length - p)) - 1;
            }

            var strings = PrefixXor(quotes & valid) ^ (inString ? ulong.MaxValue : 0);
            var brackets = (opens | closes) & valid & ~strings;
            while (brackets != 0)
            {
                var bit = BitOperations.TrailingZeroCount(brackets);
                var at = 1UL << bit;
                brackets &= brackets - 1;
                var square = (squares & at) != 0 ? 1UL : 0;
                if ((opens & at) != 0)
                {
                    if (depth >= MaxDepth)
                    {
                        return false;
                    }

                    kinds = (kinds << 1) | square;
                    depth++;
                    continue;
                }

                if ((kinds & 1) != square)
                {
                    return false;
                }

                kinds >>= 1;
                if (--depth == 0)
                {
                    Position = p + bit + 1;
                    return true;
                }
            }

            inString ^= (BitOperations.PopCount(quotes & valid) & 1) != 0;
            p += 64;
        }

        return false;
    }

    /// <summary><see cref="Masks"/> for fewer than 64 bytes (a line shorter than one block).</summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ulong Quotes, ulong Opens, ulong Closes, ulong Squares) ShortMasks(ReadOnlySpan<byte> rest)
    {
        Span<byte> block = stackalloc byte[64];
        block.Fill((byte)' ');
        rest.CopyTo(block);
        return Masks(block);
    }

    private bool Literal(ReadOnlySpan<byte> literal)
    {
        if (!_json[Position..].StartsWith(literal))
        {
            return false;
        }

        Position += literal.Length;
        return true;
    }

    /// <summary>-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?</summary>
    private bool Number()
    {
        var p = Position;
        if (p < _json.Length && _json[p] == (byte)'-')
        {
            p++;
        }

        if (p >= _json.Length || !IsDigit(_json[p]))
        {
            return false;
        }

        p = _json[p] == (byte)'0' ? p + 1 : Digits(p);
        if (p < _json.Length && _json[p] == (byte)'.')
        {
            var fraction = Digits(p + 1);
            if (fraction == p + 1)
            {
                return false;
            }

            p = fraction;
        }

        if (p < _json.Length && (_json[p] | 0x20) == (byte)'e')
        {
            p++;
            if (p < _json.Length && _json[p] is (byte)'+' or (byte)'-')
            {
                p++;
            }

            var exponent = Digits(p);
            if (exponent == p)
            {
                return false;
            }

            p = exponent;
        }

        Position = p;
        return true;
    }

    private readonly int Digits(int p)
    {
        var length = _json[p..].IndexOfAnyExceptInRange((byte)'0', (byte)'9');
        return length < 0 ? _json.Length : p + length;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    /// <summary>Bit i set from each opening quote up to (not including) its closing quote: which bytes are in strings.</summary>
    private static ulong PrefixXor(ulong x)
    {
        x ^= x << 1;
        x ^= x << 2;
        x ^= x << 4;
        x ^= x << 8;
        x ^= x << 16;
        x ^= x << 32;
        return x;
    }

    /// <summary>For 64 bytes: where the quotes, the opening and closing brackets, and the square ones are.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static (ulong Quotes, ulong Opens, ulong Closes, ulong Squares) Masks(ReadOnlySpan<byte> block)
    {
        ref var start = ref MemoryMarshal.GetReference(block);
        if (Vector512.IsHardwareAccelerated)
        {
            var v = Vector512.LoadUnsafe(ref start);
            var folded = v | Vector512.Create((byte)0x20); // '[' -> '{', ']' -> '}'
            return (
                Vector512.Equals(v, Vector512.Create((byte)'"')).ExtractMostSignificantBits(),
                Vector512.Equals(folded, Vector512.Create((byte)'{')).ExtractMostSignificantBits(),
                Vector512.Equals(folded, Vector512.Create((byte)'}')).ExtractMostSignificantBits(),
                Vector512.Equals(v & Vector512.Create((byte)0x20), Vector512<byte>.Zero).ExtractMostSignificantBits());
        }

        ulong quotes = 0, opens = 0, closes = 0, squares = 0;
        for (var i = 0; i < 64; i += 16)
        {
            var v = Vector128.LoadUnsafe(ref start, (nuint)i);
            var folded = v | Vector128.Create((byte)0x20);
            quotes |= (ulong)Vector128.Equals(v, Vector128.Create((byte)'"')).ExtractMostSignificantBits() << i;
            opens |= (ulong)Vector128.Equals(folded, Vector128.Create((byte)'{')).ExtractMostSignificantBits() << i;
            closes |= (ulong)Vector128.Equals(folded, Vector128.Create((byte)'}')).ExtractMostSignificantBits() << i;
            squares |= (ulong)Vector128.Equals(v & Vector128.Create((byte)0x20), Vector128<byte>.Zero).ExtractMostSignificantBits() << i;
        }

        return (quotes, opens, closes, squares);
    }
}
