using System.Globalization;

namespace EtcdDoctor;

/// <summary>Go-style durations as etcdctl takes them: 500ms, 5s, 2m, 1h30m.</summary>
internal static class Durations
{
    public static TimeSpan Parse(string text)
    {
        var total = TimeSpan.Zero;
        var rest = text.Trim();
        if (rest.Length == 0)
        {
            throw new FormatException("An empty duration: give one like 5s, 500ms, 2m or 1h30m.");
        }

        while (rest.Length > 0)
        {
            var digits = 0;
            while (digits < rest.Length && (char.IsAsciiDigit(rest[digits]) || rest[digits] == '.'))
            {
                digits++;
            }

            var unitLength = 0;
            while (digits + unitLength < rest.Length && char.IsAsciiLetter(rest[digits + unitLength]))
            {
                unitLength++;
            }

            if (digits == 0 || unitLength == 0 || !double.TryParse(rest[..digits], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value))
            {
                throw new FormatException($"'{text}' is not a duration: give one like 5s, 500ms, 2m or 1h30m.");
            }

            total += rest.Substring(digits, unitLength) switch
            {
                "ms" => TimeSpan.FromMilliseconds(value),
                "s" => TimeSpan.FromSeconds(value),
                "m" => TimeSpan.FromMinutes(value),
                "h" => TimeSpan.FromHours(value),
                var unit => throw new FormatException($"'{text}' has the unknown unit '{unit}': use ms, s, m or h."),
            };
            rest = rest[(digits + unitLength)..];
        }

        return total;
    }
}
