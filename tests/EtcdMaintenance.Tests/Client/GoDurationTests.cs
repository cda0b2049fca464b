using FsCheck;
using FsCheck.Xunit;

namespace EtcdMaintenance.Tests.Client;

/// <summary>GoDuration: the one Go-duration parser and formatter the library and etcd-doctor share.</summary>
public sealed class GoDurationTests
{
    [Theory]
    [InlineData("5s", 5_000)]
    [InlineData("500ms", 500)]
    [InlineData("2m", 120_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("1.5h", 5_400_000)]
    [InlineData("0", 0)]
    public void Parse_ReadsGoDurations(string text, long milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.Parse(text));

    [Theory]
    [InlineData("00:00:05")]
    [InlineData("soon")]
    [InlineData("5")]
    [InlineData("1d")]
    [InlineData("")]
    public void Parse_RefusesWhatGoRefuses_WithAMessageQuotingTheText(string text)
    {
        var error = Assert.Throws<FormatException>(() => GoDuration.Parse(text));
        Assert.Contains($"'{text}'", error.Message, StringComparison.Ordinal);
        Assert.False(GoDuration.TryParse(text, out _));
    }

    [Theory]
    [InlineData(5_000, "5s")]
    [InlineData(90_000, "1m30s")]
    [InlineData(5_400_000, "1h30m")]
    [InlineData(120_250, "2m250ms")]
    [InlineData(0, "0")]
    public void Format_WritesGoDurations(long milliseconds, string expected) =>
        Assert.Equal(expected, GoDuration.Format(TimeSpan.FromMilliseconds(milliseconds)));

    [Property(MaxTest = 500)]
    public bool FormatThenParse_RoundTripsEveryWholeMillisecondDuration(byte hours, NonNegativeInt milliseconds)
    {
        var duration = TimeSpan.FromHours(hours) + TimeSpan.FromMilliseconds(milliseconds.Get);
        return GoDuration.Parse(GoDuration.Format(duration)) == duration;
    }
}
