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
/// <param name="MemberId">The member the alarm is raised for.</param>
/// <param name="Type">The alarm.</param>
public sealed record EtcdAlarm(MemberId MemberId, EtcdAlarmType Type)
{
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
