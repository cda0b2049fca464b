using EtcdMaintenance.Monitoring;
using FsCheck;
using FsCheck.Fluent;

namespace EtcdMaintenance.Tests.Monitoring;

/// <summary>The time-to-quota forecast on synthetic series.</summary>
public sealed class QuotaForecastTests
{
    private const long MiB = Snapshots.MiB;

    private static (DateTimeOffset, long)[] Series(int count, TimeSpan step, Func<int, long> size) =>
        [.. Enumerable.Range(0, count).Select(i => (Snapshots.T0 + (step * i), size(i)))];

    [Fact]
    public void ExactLinearGrowth_GivesItsSlope_AndTheTimeFromTheLatestSize()
    {
        // 1 MiB per hour, sampled every 10 minutes for 2 hours: 10 MiB -> 12 MiB; quota 16 MiB.
        var samples = Series(13, TimeSpan.FromMinutes(10), i => (10 * MiB) + (i * MiB / 6));

        var forecast = QuotaForecast.Fit(samples, 16 * MiB, minimumSamples: 5, minimumSpan: TimeSpan.FromMinutes(5));

        Assert.NotNull(forecast);
        Assert.Equal(1.0, forecast.Value.GrowthBytesPerHour / MiB, precision: 6);
        Assert.Equal(4.0, forecast.Value.TimeToQuota.TotalHours, precision: 4);
        Assert.Equal(13, forecast.Value.Samples);
        Assert.Equal(TimeSpan.FromHours(2), forecast.Value.Span);
    }

    [Fact]
    public void NoisyGrowth_IsFittedByLeastSquares_NotByItsEndpoints()
    {
        // 6 MiB/h with +-0.5 MiB alternating noise; the last sample is low.
        var samples = Series(21, TimeSpan.FromMinutes(3), i => (20 * MiB) + (i * 3 * MiB / 10) + (i % 2 == 0 ? MiB / 2 : -MiB / 2));

        var forecast = QuotaForecast.Fit(samples, 64 * MiB, 5, TimeSpan.FromMinutes(5))!.Value;

        Assert.InRange(forecast.GrowthBytesPerHour / MiB, 5.7, 6.3);
        var latest = samples[^1].Item2;
        Assert.Equal((64 * MiB - latest) / forecast.GrowthBytesPerHour, forecast.TimeToQuota.TotalHours, precision: 6);
    }

    [Theory]
    [InlineData("flat")]
    [InlineData("shrinking")]
    public void ASizeThatDoesNotGrow_HasNoForecast(string shape)
    {
        var samples = Series(10, TimeSpan.FromMinutes(5), i => shape == "flat" ? 50 * MiB : (50 * MiB) - i);

        Assert.Null(QuotaForecast.Fit(samples, 100 * MiB, 5, TimeSpan.FromMinutes(5)));
    }

    [Fact]
    public void TooFewSamples_OrTooShortASpan_HaveNoForecast()
    {
        var four = Series(4, TimeSpan.FromMinutes(10), i => (10 * MiB) + (i * MiB));
        var quick = Series(10, TimeSpan.FromSeconds(10), i => (10 * MiB) + (i * MiB));

        Assert.Null(QuotaForecast.Fit(four, 100 * MiB, 5, TimeSpan.FromMinutes(5)));
        Assert.Null(QuotaForecast.Fit(quick, 100 * MiB, 5, TimeSpan.FromMinutes(5)));
        Assert.NotNull(QuotaForecast.Fit(quick, 100 * MiB, 5, TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void ASmallDip_DoesNotStartANewTrend()
    {
        var samples = Series(10, TimeSpan.FromMinutes(6), i => (100 * MiB) + (i * MiB) - (i == 5 ? 2 * MiB : 0));

        var forecast = QuotaForecast.Fit(samples, 200 * MiB, 5, TimeSpan.FromMinutes(5))!.Value;

        Assert.Equal(10, forecast.Samples);
    }

    [Fact]
    public void ADefragmentMidSeries_StartsANewTrend()
    {
        // Fast growth, a defragment (the size drops), then slow growth: only the slow part counts.
        var samples = Series(20, TimeSpan.FromMinutes(6), i => i < 10 ? (10 * MiB) + (i * 5 * MiB) : (20 * MiB) + ((i - 10) * MiB / 10));

        var forecast = QuotaForecast.Fit(samples, 100 * MiB, 5, TimeSpan.FromMinutes(5))!.Value;

        Assert.Equal(10, forecast.Samples);
        Assert.Equal(1.0, forecast.GrowthBytesPerHour / MiB, precision: 6);
    }

    [Fact]
    public void AtOrOverTheQuota_TheTimeLeftIsZero()
    {
        var samples = Series(6, TimeSpan.FromMinutes(2), i => (15 * MiB) + (i * MiB / 4));

        var forecast = QuotaForecast.Fit(samples, 16 * MiB, 5, TimeSpan.FromMinutes(5))!.Value;

        Assert.Equal(TimeSpan.Zero, forecast.TimeToQuota);
    }

    [Fact]
    public void ForAnyStrictlyGrowingLine_TheForecastReachesTheQuotaWhenTheLineDoes()
    {
        var lines =
            from startMiB in Gen.Choose(1, 1000)
            from mibPerHour in Gen.Choose(1, 5000)
            from count in Gen.Choose(5, 200)
            from stepSeconds in Gen.Choose(10, 600)
            select (Start: startMiB * MiB, Rate: mibPerHour * (double)MiB, Count: count, Step: TimeSpan.FromSeconds(stepSeconds));
        Prop.ForAll(lines.ToArbitrary(), line =>
        {
            var samples = Series(line.Count, line.Step, i => line.Start + (long)Math.Round(line.Rate * (line.Step * i).TotalHours));
            var latest = samples[^1].Item2;
            var quota = latest + (long)(line.Rate * 3); // three hours away

            var forecast = QuotaForecast.Fit(samples, quota, 5, TimeSpan.Zero);

            return forecast is { } f && Math.Abs(f.TimeToQuota.TotalHours - 3) < 0.01 && Math.Abs(f.GrowthBytesPerHour / line.Rate - 1) < 0.001;
        }).QuickCheckThrowOnFailure();
    }
}
