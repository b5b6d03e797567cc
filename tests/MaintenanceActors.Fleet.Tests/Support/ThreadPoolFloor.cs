using System.Runtime.CompilerServices;

namespace MaintenanceActors.Fleet.Tests.Support;

/// <summary>Twenty actor systems share a 2-core machine's pool with xunit: start it with enough threads that none starves.</summary>
internal static class ThreadPoolFloor
{
#pragma warning disable CA2255 // a test assembly, not a library: it owns its process
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var worker, out var io);
        ThreadPool.SetMinThreads(Math.Max(worker, 48), io);
    }
}
