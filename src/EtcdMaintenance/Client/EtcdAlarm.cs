namespace EtcdMaintenance;

/// <summary>etcd's alarm types (<c>AlarmType</c> in etcd's API).</summary>
public enum EtcdAlarmType
{
    /// <summary>No alarm; in a request, "any alarm".</summary>
    None = 0,

    /// <summary>The backend database reached its space quota: writes fail until the alarm is disarmed.</summary>
    NoSpace = 1,

    /// <summary>The corruption check found diverging data: treat the cluster as damaged.</summary>
    Corrupt = 2,
}

/// <summary>An active alarm on one member, as <c>etcdctl alarm list</c> prints it.</summary>
public sealed record EtcdAlarm
{
    /// <summary>Creates the value; the library builds it, and callers can in their own tests.</summary>
    /// <param name="memberId">The member the alarm is raised for.</param>
    /// <param name="type">The alarm.</param>
    public EtcdAlarm(MemberId memberId, EtcdAlarmType type)
    {
        MemberId = memberId;
        Type = type;
    }

    /// <summary>The member the alarm is raised for.</summary>
    public MemberId MemberId { get; init; }

    /// <summary>The alarm.</summary>
    public EtcdAlarmType Type { get; init; }

    /// <summary>The alarm as etcdctl prints it: <c>memberID:10276657743932975437 alarm:NOSPACE</c>.</summary>
    public override string ToString() => $"memberID:{MemberId:d} alarm:{TypeName(Type)}";

    internal static string TypeName(EtcdAlarmType type) => type switch
    {
        EtcdAlarmType.None => "NONE",
        EtcdAlarmType.NoSpace => "NOSPACE",
        EtcdAlarmType.Corrupt => "CORRUPT",
        _ => type.ToString().ToUpperInvariant(),
    };
}
