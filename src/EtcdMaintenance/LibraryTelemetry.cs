using System.Diagnostics;
using System.Reflection;

namespace EtcdMaintenance;

/// <summary>
/// The library's one trace source and its name and version, shared by every layer: the transport's RPC activities and
/// the poller's rounds and meter (the public names are in <c>Monitoring.EtcdTelemetry</c>).
/// </summary>
internal static class LibraryTelemetry
{
    /// <summary>The name of the <see cref="System.Diagnostics.ActivitySource"/> and of the <c>Meter</c>.</summary>
    public const string SourceName = "EtcdMaintenance";

    /// <summary>The library's informational version, given to the activity source and the meter.</summary>
    public static readonly string Version = typeof(LibraryTelemetry).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    public static readonly ActivitySource ActivitySource = new(SourceName, Version);
}
