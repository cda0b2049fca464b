namespace EtcdMaintenance.Operations;

/// <summary>
/// What space recovery and member replacement both end with: the alarms still raised, and whether a write goes through
/// (a put and a delete of a reserved probe key).
/// </summary>
internal static class WriteCheck
{
    /// <summary>The etcdctl equivalent of the check, against <paramref name="endpoints"/> (comma-separated).</summary>
    public static string Etcdctl(string endpoints) =>
        $"etcdctl --endpoints={endpoints} alarm list && etcdctl --endpoints={endpoints} put {EtcdMaintenanceClient.ReservedKeyPrefix}probe x && etcdctl --endpoints={endpoints} del {EtcdMaintenanceClient.ReservedKeyPrefix}probe";

    /// <summary>Reads the alarms and, when <paramref name="probeWrite"/>, makes the probe write.</summary>
    public static async Task<Outcome> RunAsync(IEtcdMaintenanceClient client, bool probeWrite, CancellationToken cancellationToken)
    {
        var alarms = await client.GetAlarmsAsync(cancellationToken).ConfigureAwait(false);
        if (!probeWrite)
        {
            return new Outcome(alarms, null, null);
        }

        try
        {
            await client.ProbeWriteAsync(cancellationToken).ConfigureAwait(false);
            return new Outcome(alarms, true, null);
        }
        catch (EtcdException ex)
        {
            return new Outcome(alarms, false, ex);
        }
    }

    /// <summary>The alarms raised, whether the probe write succeeded (<see langword="null"/>: not made), and why it failed.</summary>
    internal sealed record Outcome(IReadOnlyList<EtcdAlarm> Alarms, bool? WriteSucceeded, EtcdException? WriteError)
    {
        /// <summary>The alarms for messages, e.g. <c>NOSPACE on 8e9e05c52164694d</c>; empty when none.</summary>
        public string AlarmsText => string.Join(", ", Alarms.Select(a => $"{a.Type} on {a.MemberId}"));
    }
}
