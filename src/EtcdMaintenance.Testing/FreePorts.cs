using System.Net;
using System.Net.Sockets;

namespace EtcdMaintenance.Testing;

/// <summary>Hands out loopback ports the kernel reports free, never the same one twice in a test run.</summary>
internal static class FreePorts
{
    private static readonly HashSet<int> s_handedOut = [];

    /// <summary>A loopback port free now and not handed out before by this process.</summary>
    public static int Next()
    {
        lock (s_handedOut)
        {
            while (true)
            {
                using var listener = new TcpListener(IPAddress.Loopback, 0);
                listener.Start();
                var port = ((IPEndPoint)listener.LocalEndpoint).Port;
                listener.Stop();
                if (s_handedOut.Add(port))
                {
                    return port;
                }
            }
        }
    }
}
