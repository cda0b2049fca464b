namespace EtcdMaintenance.Monitoring;

/// <summary>A least-squares line through (time, size) samples, and when it crosses the quota.</summary>
internal readonly record struct QuotaForecast(double GrowthBytesPerHour, TimeSpan TimeToQuota, int Samples, TimeSpan Span)
{
    /// <summary>A drop larger than this share of the previous size starts a new trend.</summary>
    public const double DropRatio = 0.05;

    /// <summary>
    /// Fits <c>size = a + b * t</c> to the samples (ordinary least squares, time in hours from the first sample) and
    /// projects from the latest size: <c>(quota - latest) / b</c>. Only the samples after the last drop of more than 5%
    /// are used: a defragment (or a member restored from other data) shrinks the file and starts a new trend, while the
    /// size etcd reports otherwise never shrinks (the backend's high-water mark). No forecast (<see langword="null"/>)
    /// when there are fewer than <paramref name="minimumSamples"/>, they cover less than <paramref name="minimumSpan"/>,
    /// or the size does not grow.
    /// </summary>
    /// <param name="samples">(time, database size) pairs, oldest first.</param>
    /// <param name="quota">The quota in bytes.</param>
    /// <param name="minimumSamples">At least 2.</param>
    /// <param name="minimumSpan">The least time the samples must cover.</param>
    public static QuotaForecast? Fit(ReadOnlySpan<(DateTimeOffset Time, long Size)> samples, long quota, int minimumSamples, TimeSpan minimumSpan)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(minimumSamples, 2);
        var start = 0;
        for (var i = samples.Length - 1; i > 0; i--)
        {
            if (samples[i].Size < samples[i - 1].Size * (1 - DropRatio))
            {
                start = i;
                break;
            }
        }

        var count = samples.Length - start;
        if (count < minimumSamples)
        {
            return null;
        }

        var origin = samples[start].Time;
        var last = samples[^1];
        var span = last.Time - origin;
        if (span < minimumSpan || span <= TimeSpan.Zero)
        {
            return null;
        }

        // Centred sums keep the arithmetic exact enough for sizes in the terabytes and times in days.
        double meanT = 0, meanS = 0;
        for (var i = start; i < samples.Length; i++)
        {
            meanT += (samples[i].Time - origin).TotalHours;
            meanS += samples[i].Size;
        }

        meanT /= count;
        meanS /= count;
        double sxx = 0, sxy = 0;
        for (var i = start; i < samples.Length; i++)
        {
            var dt = (samples[i].Time - origin).TotalHours - meanT;
            sxx += dt * dt;
            sxy += dt * (samples[i].Size - meanS);
        }

        if (sxx <= 0)
        {
            return null;
        }

        var slope = sxy / sxx;
        if (!(slope > 0))
        {
            return null;
        }

        var remaining = Math.Max(0, quota - last.Size);
        var hours = remaining / slope;
        var timeToQuota = hours >= TimeSpan.MaxValue.TotalHours ? TimeSpan.MaxValue : TimeSpan.FromHours(hours);
        return new QuotaForecast(slope, timeToQuota, count, span);
    }
}
