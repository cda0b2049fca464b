using System.Globalization;

namespace EtcdMaintenance.Monitoring;

/// <summary>
/// Reads the alarms out of status errors. etcd puts every active alarm of the cluster into each member's status errors,
/// in protobuf's text form: <c>memberID:13668033151171901709 alarm:NOSPACE </c> (3.4 to 3.6).
/// </summary>
internal static class AlarmText
{
    public static IReadOnlyList<EtcdAlarm> FromErrors(IReadOnlyList<MemberSnapshot> members)
    {
        List<EtcdAlarm>? alarms = null;
        foreach (var member in members)
        {
            if (member.Status is not { Errors.Count: > 0 } status)
            {
                continue;
            }

            foreach (var error in status.Errors)
            {
                if (TryParse(error, out var alarm) && (alarms is null || !alarms.Contains(alarm)))
                {
                    (alarms ??= []).Add(alarm);
                }
            }
        }

        return alarms is null ? [] : [.. alarms.OrderBy(a => a.MemberId).ThenBy(a => a.Type)];
    }

    /// <summary>Parses <c>memberID:DECIMAL alarm:NAME</c>; <see langword="false"/> for other errors and unknown alarm names.</summary>
    public static bool TryParse(string text, out EtcdAlarm alarm)
    {
        alarm = null!;
        var span = text.AsSpan().Trim();
        const string memberPrefix = "memberID:";
        const string alarmPrefix = "alarm:";
        if (!span.StartsWith(memberPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        span = span[memberPrefix.Length..];
        var space = span.IndexOf(' ');
        if (space < 0 || !ulong.TryParse(span[..space], NumberStyles.None, CultureInfo.InvariantCulture, out var memberId))
        {
            return false;
        }

        span = span[(space + 1)..].TrimStart();
        if (!span.StartsWith(alarmPrefix, StringComparison.Ordinal))
        {
            return false;
        }

        EtcdAlarmType? type = span[alarmPrefix.Length..].Trim() switch
        {
            "NOSPACE" => EtcdAlarmType.NoSpace,
            "CORRUPT" => EtcdAlarmType.Corrupt,
            _ => null,
        };
        if (type is null)
        {
            return false;
        }

        alarm = new EtcdAlarm(memberId, type.Value);
        return true;
    }
}
