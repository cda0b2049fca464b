using System.Diagnostics;

namespace EtcdMaintenance.Transport;

/// <summary>
/// The transport's traces, on <see cref="LibraryTelemetry.ActivitySource"/>: one client activity per etcd RPC, tagged the way OpenTelemetry's RPC conventions
/// name things (<c>rpc.system</c>, <c>rpc.service</c>, <c>rpc.method</c>, <c>server.address</c>, <c>server.port</c>,
/// <c>rpc.grpc.status_code</c>). Starting an activity costs nothing while nobody listens.
/// </summary>
internal static class Telemetry
{
    /// <summary>Starts the activity of one call, or returns <see langword="null"/> when nobody listens.</summary>
    public static Activity? StartCall(EtcdEndpoint endpoint, EtcdRpc rpc)
    {
        if (!LibraryTelemetry.ActivitySource.HasListeners())
        {
            return null;
        }

        var activity = LibraryTelemetry.ActivitySource.StartActivity(rpc.ActivityName, ActivityKind.Client);
        if (activity is { IsAllDataRequested: true })
        {
            activity.SetTag("rpc.system", "grpc");
            activity.SetTag("rpc.service", rpc.Service);
            activity.SetTag("rpc.method", rpc.Method);
            activity.SetTag("server.address", endpoint.Address.Host);
            activity.SetTag("server.port", endpoint.Address.Port);
        }

        return activity;
    }

    /// <summary>Records a call's outcome on its activity.</summary>
    public static void Complete(Activity? activity, Exception? error)
    {
        if (activity is null)
        {
            return;
        }

        if (error is null)
        {
            activity.SetTag("rpc.grpc.status_code", (int)EtcdStatusCode.OK);
        }
        else if (error is EtcdException etcd)
        {
            activity.SetTag("rpc.grpc.status_code", (int)etcd.StatusCode);
            activity.SetTag("error.type", etcd.ErrorCode.ToString());
            activity.SetStatus(ActivityStatusCode.Error, etcd.ServerMessage ?? etcd.ErrorCode.ToString());
        }
        else
        {
            activity.SetTag("error.type", error.GetType().FullName);
            activity.SetStatus(ActivityStatusCode.Error);
        }
    }
}
