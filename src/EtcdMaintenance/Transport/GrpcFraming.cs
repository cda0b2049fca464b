using System.Buffers.Binary;
using System.Globalization;
using Google.Protobuf;

namespace EtcdMaintenance.Transport;

/// <summary>gRPC's length-prefixed message framing and its header encodings.</summary>
internal static class GrpcFraming
{
    /// <summary>1 byte compressed-flag + 4 bytes big-endian length.</summary>
    public const int HeaderSize = 5;

    /// <summary>The largest message accepted from a server (etcd's default --max-request-bytes is 1.5 MiB; answers can be larger).</summary>
    public const int MaxMessageSize = 64 * 1024 * 1024;

    /// <summary>Writes header and message into <paramref name="destination"/>, which must hold <see cref="HeaderSize"/> + the message size.</summary>
    public static int WriteFrame(IMessage message, Span<byte> destination)
    {
        var size = message.CalculateSize();
        destination[0] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(destination[1..], (uint)size);
        message.WriteTo(destination.Slice(HeaderSize, size));
        return HeaderSize + size;
    }

    /// <summary>Reads a frame header: whether the message is compressed, and its length.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out bool compressed, out int length)
    {
        compressed = header[0] != 0;
        var raw = BinaryPrimitives.ReadUInt32BigEndian(header[1..]);
        length = (int)Math.Min(raw, int.MaxValue);
        return header[0] <= 1 && raw <= MaxMessageSize;
    }

    private static TimeoutText? s_lastTimeout;

    /// <summary>
    /// <see cref="EncodeTimeout"/> through a one-entry cache: a client sends the same command timeout on almost every
    /// call, so the header text is built once rather than per call.
    /// </summary>
    public static string EncodeTimeoutCached(TimeSpan timeout)
    {
        var last = Volatile.Read(ref s_lastTimeout);
        if (last is not null && last.Timeout == timeout)
        {
            return last.Text;
        }

        var text = EncodeTimeout(timeout);
        Volatile.Write(ref s_lastTimeout, new TimeoutText(timeout, text));
        return text;
    }

    /// <summary>
    /// Encodes a timeout as gRPC's <c>grpc-timeout</c> header: at most 8 digits and a unit, the finest unit that fits,
    /// rounded up so that the server never sees a shorter deadline than the client's.
    /// </summary>
    public static string EncodeTimeout(TimeSpan timeout)
    {
        if (timeout <= TimeSpan.Zero)
        {
            return "1n";
        }

        const long maxValue = 99_999_999;
        var ticks = timeout.Ticks; // 100 ns
        var nanos = ticks <= long.MaxValue / 100 ? ticks * 100 : long.MaxValue;
        ReadOnlySpan<(long Nanos, char Unit)> units = [(1, 'n'), (1_000, 'u'), (1_000_000, 'm'), (1_000_000_000, 'S'), (60_000_000_000, 'M'), (3_600_000_000_000, 'H')];
        foreach (var (unitNanos, unit) in units)
        {
            var value = (nanos + unitNanos - 1) / unitNanos;
            if (value <= maxValue)
            {
                return value.ToString(CultureInfo.InvariantCulture) + unit;
            }
        }

        return maxValue.ToString(CultureInfo.InvariantCulture) + "H";
    }

    /// <summary>Decodes <c>grpc-timeout</c> (for tests and diagnostics).</summary>
    public static bool TryDecodeTimeout(string text, out TimeSpan timeout)
    {
        timeout = default;
        if (text.Length is < 2 or > 9 || !long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            return false;
        }

        long? nanosPerUnit = text[^1] switch { 'n' => 1, 'u' => 1_000, 'm' => 1_000_000, 'S' => 1_000_000_000, 'M' => 60_000_000_000, 'H' => 3_600_000_000_000, _ => null };
        if (nanosPerUnit is null)
        {
            return false;
        }

        timeout = TimeSpan.FromTicks((long)Math.Min(value * (decimal)nanosPerUnit.Value / 100, TimeSpan.MaxValue.Ticks));
        return true;
    }

    /// <summary>Decodes <c>grpc-message</c>: percent-encoded UTF-8 per the gRPC HTTP/2 spec.</summary>
    public static string DecodeMessage(string value) =>
        value.Contains('%', StringComparison.Ordinal) ? Uri.UnescapeDataString(value) : value;

    private sealed record TimeoutText(TimeSpan Timeout, string Text);
}
