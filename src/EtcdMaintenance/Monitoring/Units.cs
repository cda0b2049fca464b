using System.Globalization;

namespace EtcdMaintenance.Monitoring;

/// <summary>How findings print figures: IEC bytes, whole percentages, rounded durations; always culture-invariant.</summary>
internal static class Units
{
    public static string Bytes(long? bytes) => bytes is { } value ? ByteSize.Format(value) : "unknown";

    public static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio * 100:0}%");

    public static string Ratio(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio:0.0#}x");

    public static string Count(ulong count) => count.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>A duration the way people say it: 45 s, 12 minutes, 3.5 hours, 4 days.</summary>
    public static string Duration(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            duration = TimeSpan.Zero;
        }

        return duration.TotalSeconds < 90 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalSeconds:0} s")
            : duration.TotalMinutes < 90 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalMinutes:0} minutes")
            : duration.TotalHours < 48 ? string.Create(CultureInfo.InvariantCulture, $"{duration.TotalHours:0.#} hours")
            : string.Create(CultureInfo.InvariantCulture, $"{duration.TotalDays:0.#} days");
    }
}
