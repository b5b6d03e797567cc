using System.Net;
using System.Net.Sockets;

namespace MaintenanceActors.Testing;

/// <summary>Finds TCP ports on 127.0.0.1 that nothing listens on, for servers started by tests.</summary>
public static class FreePort
{
    private static readonly HashSet<int> Handed = [];

    /// <summary>A port the OS just reported free; never the same one twice in a test run.</summary>
    public static int Get()
    {
        while (true)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            lock (Handed)
            {
                if (Handed.Add(port))
                    return port;
            }
        }
    }
}
