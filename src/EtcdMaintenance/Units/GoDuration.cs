using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;

namespace EtcdMaintenance;

/// <summary>
/// Durations the way etcd and etcdctl write them (Go's <c>time.ParseDuration</c>): <c>500ms</c>, <c>5s</c>, <c>2m</c>,
/// <c>1h30m</c>, <c>1.5h</c>, <c>0</c>. The one parser the library and etcd-doctor use for every duration.
/// </summary>
public static class GoDuration
{
    /// <summary>Parses a Go duration (units <c>ns</c>, <c>us</c>, <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c>; an optional sign).</summary>
    /// <exception cref="FormatException">The text is not a Go duration; the message quotes it and shows the expected form.</exception>
    public static TimeSpan Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return TryParse(text, out var duration)
            ? duration
            : throw new FormatException($"'{text}' is not a duration: write it as etcdctl does, e.g. 500ms, 5s, 2m or 1h30m.");
    }

    /// <summary>Tries to parse a Go duration; precision below 100 ns (one tick) is rounded.</summary>
    public static bool TryParse([NotNullWhen(true)] string? text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        return text is not null && TryParse(text.AsSpan(), out duration);
    }

    /// <summary>
    /// Parses a Go <c>time.Duration</c> string (<c>2.720259ms</c>, <c>3.001089292s</c>, <c>1m2.5s</c>, <c>500µs</c>,
    /// <c>0s</c>); precision below 100 ns (one tick) is rounded.
    /// </summary>
    internal static bool TryParse(ReadOnlySpan<char> text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        text = text.Trim();
        if (text.IsEmpty)
        {
            return false;
        }

        var negative = text[0] == '-';
        if (text[0] is '-' or '+')
        {
            text = text[1..];
        }

        if (text.SequenceEqual("0"))
        {
            return true;
        }

        decimal totalNanoseconds = 0;
        while (!text.IsEmpty)
        {
            var digits = 0;
            while (digits < text.Length && (char.IsAsciiDigit(text[digits]) || text[digits] == '.'))
            {
                digits++;
            }

            if (digits == 0 || digits > 28 ||
                !decimal.TryParse(text[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            text = text[digits..];
            var unitLength = 0;
            while (unitLength < text.Length && !char.IsAsciiDigit(text[unitLength]) && text[unitLength] != '.')
            {
                unitLength++;
            }

            decimal nanoseconds = text[..unitLength] switch
            {
                "ns" => 1m,
                "us" or "\u00B5s" or "\u03BCs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => 0m,
            };
            if (nanoseconds == 0)
            {
                return false;
            }

            totalNanoseconds += number * nanoseconds;
            if (totalNanoseconds > 9_300_000_000_000_000_000m)
            {
                return false;
            }

            text = text[unitLength..];
        }

        var ticks = (long)decimal.Round(totalNanoseconds / 100m, MidpointRounding.AwayFromZero);
        duration = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    /// <summary>Writes a duration the way Go reads and prints it, without zero parts: <c>1h</c>, <c>1h30m</c>, <c>5s</c>, <c>90ms</c>, <c>0</c>.</summary>
    /// <remarks>Precision below a millisecond is dropped; negative durations start with <c>-</c>.</remarks>
    public static string Format(TimeSpan duration)
    {
        if (duration < TimeSpan.Zero)
        {
            return "-" + Format(duration.Duration());
        }

        if (duration.Ticks < TimeSpan.TicksPerMillisecond)
        {
            return "0";
        }

        var builder = new StringBuilder();
        var hours = (long)duration.TotalHours;
        if (hours > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{hours}h");
        }

        if (duration.Minutes > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Minutes}m");
        }

        if (duration.Seconds > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Seconds}s");
        }

        if (duration.Milliseconds > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{duration.Milliseconds}ms");
        }

        return builder.ToString();
    }
}
