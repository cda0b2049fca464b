using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace EtcdMaintenance;

/// <summary>
/// The 64-bit ID etcd gives each cluster member. Prints as lower-case hex without a prefix, the way
/// <c>etcdctl member list</c> and <c>etcdctl endpoint status -w table</c> print it.
/// </summary>
/// <remarks>
/// etcd prints the same ID in two ways: hex in tables and in the commands that take an ID
/// (<c>etcdctl member remove 8e9e05c52164694d</c>), decimal in JSON output and in <c>etcdctl alarm list</c>
/// (<c>memberID:10276657743932975437</c>). Use <see cref="ParseHex"/> or <see cref="ParseDecimal"/> when the source
/// is known; <see cref="Parse(string, IFormatProvider?)"/> guesses as described there.
/// </remarks>
/// <param name="Value">The raw ID.</param>
[System.Text.Json.Serialization.JsonConverter(typeof(MemberIdJsonConverter))]
public readonly record struct MemberId(ulong Value) : ISpanFormattable, IParsable<MemberId>, IComparable<MemberId>
{
    private static readonly System.Buffers.SearchValues<char> s_hexLetters = System.Buffers.SearchValues.Create("abcdefABCDEF");

    /// <summary>The zero ID: "no member" (for example no leader known).</summary>
    public static MemberId None => default;

    /// <summary>Whether this is the zero ID.</summary>
    public bool IsNone => Value == 0;

    /// <summary>Formats the ID as lower-case hex without a prefix, as etcdctl prints it.</summary>
    public override string ToString() => Value.ToString("x", CultureInfo.InvariantCulture);

    /// <summary>Formats the ID: <c>x</c> (default) lower-case hex, <c>d</c> decimal as in JSON and <c>alarm list</c>.</summary>
    /// <param name="format"><c>x</c>, <c>X</c> or <c>d</c>; <see langword="null"/> means <c>x</c>.</param>
    /// <param name="formatProvider">Ignored: IDs are culture-invariant.</param>
    public string ToString(string? format, IFormatProvider? formatProvider) =>
        Value.ToString(NormalizeFormat(format), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public bool TryFormat(Span<char> destination, out int charsWritten, ReadOnlySpan<char> format, IFormatProvider? provider) =>
        Value.TryFormat(destination, out charsWritten, format.IsEmpty ? "x" : NormalizeFormat(format.ToString()), CultureInfo.InvariantCulture);

    /// <inheritdoc />
    public int CompareTo(MemberId other) => Value.CompareTo(other.Value);

    /// <summary>Parses a hex ID as etcdctl prints it (an optional <c>0x</c> prefix is accepted).</summary>
    /// <exception cref="FormatException">The text is not a hex number of at most 16 digits.</exception>
    public static MemberId ParseHex(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseHex(text, out var id) ? id : throw new FormatException($"'{text}' is not a hex etcd member ID (expected up to 16 hex digits, such as 8e9e05c52164694d).");
    }

    /// <summary>Parses a decimal ID as etcd's JSON and <c>etcdctl alarm list</c> print it.</summary>
    /// <exception cref="FormatException">The text is not a decimal number that fits in 64 bits.</exception>
    public static MemberId ParseDecimal(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParseDecimal(text, out var id) ? id : throw new FormatException($"'{text}' is not a decimal etcd member ID (expected an unsigned 64-bit number, such as 10276657743932975437).");
    }

    /// <summary>Tries to parse a hex ID (an optional <c>0x</c> prefix is accepted).</summary>
    public static bool TryParseHex(ReadOnlySpan<char> text, out MemberId id)
    {
        text = text.Trim();
        if (text.StartsWith("0x", StringComparison.OrdinalIgnoreCase))
        {
            text = text[2..];
        }

        ulong value = 0;
        var ok = text.Length is > 0 and <= 16 && ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out value);
        id = new MemberId(value);
        return ok;
    }

    /// <summary>Tries to parse a decimal ID.</summary>
    public static bool TryParseDecimal(ReadOnlySpan<char> text, out MemberId id)
    {
        var ok = ulong.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var value);
        id = new MemberId(ok ? value : 0);
        return ok;
    }

    /// <summary>
    /// Parses an ID written either way: hex when it has a <c>0x</c> prefix or any of the letters a-f, decimal
    /// otherwise. A hex ID made only of the digits 0-9 is therefore read as decimal: use <see cref="ParseHex"/>
    /// for text that is known to be hex.
    /// </summary>
    /// <exception cref="FormatException">The text is neither.</exception>
    public static MemberId Parse(string s, IFormatProvider? provider = null)
    {
        ArgumentNullException.ThrowIfNull(s);
        return TryParse(s, provider, out var id) ? id : throw new FormatException($"'{s}' is not an etcd member ID (expected hex such as 8e9e05c52164694d or decimal such as 10276657743932975437).");
    }

    /// <summary>Tries to parse an ID written either way; see <see cref="Parse(string, IFormatProvider?)"/>.</summary>
    public static bool TryParse([NotNullWhen(true)] string? s, IFormatProvider? provider, out MemberId result)
    {
        if (s is null)
        {
            result = default;
            return false;
        }

        var text = s.AsSpan().Trim();
        return text.StartsWith("0x", StringComparison.OrdinalIgnoreCase) || text.ContainsAny(s_hexLetters)
            ? TryParseHex(text, out result)
            : TryParseDecimal(text, out result);
    }

    /// <summary>Compares two IDs numerically.</summary>
    public static bool operator <(MemberId left, MemberId right) => left.Value < right.Value;

    /// <summary>Compares two IDs numerically.</summary>
    public static bool operator >(MemberId left, MemberId right) => left.Value > right.Value;

    /// <summary>Compares two IDs numerically.</summary>
    public static bool operator <=(MemberId left, MemberId right) => left.Value <= right.Value;

    /// <summary>Compares two IDs numerically.</summary>
    public static bool operator >=(MemberId left, MemberId right) => left.Value >= right.Value;

    /// <summary>Converts a raw ID.</summary>
    public static implicit operator MemberId(ulong value) => new(value);

    /// <summary>Creates an ID from a raw value.</summary>
    public static MemberId FromUInt64(ulong value) => new(value);

    /// <summary>The raw value.</summary>
    public ulong ToUInt64() => Value;

    private static string NormalizeFormat(string? format) => format switch
    {
        null or "" or "x" => "x",
        "X" => "X",
        "d" or "D" => "D",
        _ => throw new FormatException($"Unknown member ID format '{format}': use x (hex, as etcdctl prints) or d (decimal)."),
    };
}
