namespace EtcdMaintenance.Tests.Client;

public sealed class MemberIdTests
{
    [Fact]
    public void ToString_PrintsLowerCaseHexLikeEtcdctl()
    {
        Assert.Equal("8e9e05c52164694d", new MemberId(0x8e9e05c52164694d).ToString());
        Assert.Equal("10276657743932975437", new MemberId(0x8e9e05c52164694d).ToString("d", null));
        Assert.Equal("8E9E05C52164694D", $"{new MemberId(0x8e9e05c52164694d):X}");
    }

    [Theory]
    [InlineData("8e9e05c52164694d", 0x8e9e05c52164694dUL)]
    [InlineData("0x10", 16UL)]
    [InlineData("10276657743932975437", 0x8e9e05c52164694dUL)]
    [InlineData(" 42 ", 42UL)]
    public void Parse_ReadsHexWithLettersOrPrefix_AndDecimalOtherwise(string text, ulong expected) =>
        Assert.Equal(expected, MemberId.Parse(text).Value);

    [Fact]
    public void ParseHex_ReadsDigitOnlyHex_ThatParseWouldReadAsDecimal()
    {
        Assert.Equal(0x1234UL, MemberId.ParseHex("1234").Value);
        Assert.Equal(1234UL, MemberId.Parse("1234").Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("xyz")]
    [InlineData("8e9e05c52164694d00")]
    [InlineData("-1")]
    [InlineData("18446744073709551616")]
    public void Parse_RejectsNonIds_WithAFormatExceptionThatShowsAnExample(string text)
    {
        var error = Assert.Throws<FormatException>(() => MemberId.Parse(text));
        Assert.Contains("8e9e05c52164694d", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FormatThenParse_RoundTripsEveryValue_BothWays()
    {
        foreach (var value in new ulong[] { 1, 9, 10, 0xff, long.MaxValue, (ulong)long.MaxValue + 1, ulong.MaxValue })
        {
            Assert.Equal(value, MemberId.ParseHex(new MemberId(value).ToString()).Value);
            Assert.Equal(value, MemberId.ParseDecimal(new MemberId(value).ToString("d", null)).Value);
        }
    }
}
