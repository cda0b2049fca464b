using System.Text.Json;
using System.Text.Json.Serialization;

namespace EtcdMaintenance;

/// <summary>Writes a <see cref="MemberId"/> as etcdctl's hex string; reads hex strings, decimal strings and JSON numbers.</summary>
public sealed class MemberIdJsonConverter : JsonConverter<MemberId>
{
    /// <inheritdoc />
    public override MemberId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var number))
        {
            return new MemberId(number);
        }

        if (reader.TokenType == JsonTokenType.String && reader.GetString() is { } text && MemberId.TryParseHex(text, out var id))
        {
            return id;
        }

        throw new JsonException("Expected an etcd member ID as a hex string (8e9e05c52164694d) or an unsigned number.");
    }

    /// <inheritdoc />
    public override void Write(Utf8JsonWriter writer, MemberId value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        Span<char> buffer = stackalloc char[16];
        value.TryFormat(buffer, out var written, "x", null);
        writer.WriteStringValue(buffer[..written]);
    }
}
