using EtcdMaintenance.Transport;
using EtcdMaintenance.Wire;

namespace EtcdMaintenance.Tests.Transport;

public sealed class GrpcFramingTests
{
    [Theory]
    [InlineData(5_000, "5000000u")]
    [InlineData(120_000, "120000m")]
    [InlineData(1, "1000000n")]
    [InlineData(3_600_000_000, "3600000S")]
    [InlineData(360_000_000_000, "6000000M")]
    public void EncodeTimeout_UsesTheFinestUnitThatFitsEightDigits(long milliseconds, string expected) =>
        Assert.Equal(expected, GrpcFraming.EncodeTimeout(TimeSpan.FromMilliseconds(milliseconds)));

    [Fact]
    public void EncodeTimeout_NeverShortensTheDeadline_AndRoundTrips()
    {
        foreach (var ticks in new long[] { 1, 7, 10_001, 123_456_789, TimeSpan.FromDays(3).Ticks + 1, TimeSpan.FromDays(4000).Ticks })
        {
            var timeout = TimeSpan.FromTicks(ticks);
            var text = GrpcFraming.EncodeTimeout(timeout);

            Assert.InRange(text.Length, 2, 9);
            Assert.True(GrpcFraming.TryDecodeTimeout(text, out var decoded), text);
            Assert.True(decoded >= timeout, $"{text} decodes to {decoded}, shorter than {timeout}");
        }
    }

    [Fact]
    public void EncodeTimeout_OfZeroOrLess_IsTheSmallestDeadline() =>
        Assert.Equal("1n", GrpcFraming.EncodeTimeout(TimeSpan.Zero));

    [Fact]
    public void WriteFrame_PrefixesTheMessageWithFlagAndBigEndianLength()
    {
        var message = new HashKVRequest { Revision = 300 };
        var buffer = new byte[GrpcFraming.HeaderSize + message.CalculateSize()];

        var written = GrpcFraming.WriteFrame(message, buffer);

        Assert.Equal(buffer.Length, written);
        Assert.Equal([0, 0, 0, 0, (byte)message.CalculateSize()], buffer[..5]);
        Assert.True(GrpcFraming.TryReadHeader(buffer, out var compressed, out var length));
        Assert.False(compressed);
        Assert.Equal(300, HashKVRequest.Parser.ParseFrom(buffer.AsSpan(5, length)).Revision);
    }

    [Fact]
    public void TryReadHeader_RejectsUnknownFlagsAndHugeLengths()
    {
        Assert.False(GrpcFraming.TryReadHeader([2, 0, 0, 0, 1], out _, out _));
        Assert.False(GrpcFraming.TryReadHeader([0, 0x7f, 0xff, 0xff, 0xff], out _, out _));
    }

    [Fact]
    public void DecodeMessage_UndoesPercentEncoding() =>
        Assert.Equal("etcdserver: 100% full", GrpcFraming.DecodeMessage("etcdserver: 100%25 full"));
}
