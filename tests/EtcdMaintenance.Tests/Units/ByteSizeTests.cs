using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Units;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1 KiB")]
    [InlineData(16L * 1024 * 1024, "16 MiB")]
    [InlineData(3L * 1024 * 1024 * 1024 / 2, "1.5 GiB")]
    [InlineData(8_000_000_000L, "7.45 GiB")]
    [InlineData(-2048L, "-2 KiB")]
    public void Format_WritesIecUnitsWithAtMostTwoDecimals(long bytes, string expected) => Assert.Equal(expected, ByteSize.Format(bytes));

    [Theory]
    [InlineData("2147483648", 2147483648L)]
    [InlineData("2GiB", 2147483648L)]
    [InlineData(" 16 MiB ", 16777216L)]
    [InlineData("25 kB", 25_000L)]
    [InlineData("1.2 MB", 1_200_000L)]
    [InlineData("8GB", 8_000_000_000L)]
    [InlineData("0 B", 0L)]
    public void Parse_ReadsByteCountsIecUnitsAndEtcdctlsHumanizedSizes(string text, long expected) => Assert.Equal(expected, ByteSize.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("GiB")]
    [InlineData("2 XB")]
    [InlineData("1.5")]
    [InlineData("-3 MiB")]
    [InlineData("99999999999 EiB")]
    public void Parse_OnNoSize_ThrowsFormatExceptionQuotingTheText(string text)
    {
        var error = Assert.Throws<FormatException>(() => ByteSize.Parse(text));

        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.False(ByteSize.TryParse(text, out _));
    }

    [Fact]
    public void Format_ThenParse_GivesTheSizeBackWithinTheRounding()
    {
        Check.One(Config.QuickThrowOnFailure.WithMaxTest(500), Prop.ForAll(Gen.Choose(0, int.MaxValue).Select(n => (long)n * 997).ToArbitrary(), bytes =>
        {
            var back = ByteSize.Parse(ByteSize.Format(bytes));
            Assert.True(Math.Abs(back - bytes) <= bytes * 0.005 + 1, $"{bytes} -> {ByteSize.Format(bytes)} -> {back}");
            return true;
        }));
    }
}
