using System.Runtime.CompilerServices;

namespace MaintenanceActors.Tests.Support;

/// <summary>
/// Raises the thread pool's floor for this test assembly. xunit runs test classes in parallel and some specs block a pool
/// thread on purpose (a resource held inside a hook, a synchronous start-up Ask); on a 2-core machine the pool starts with
/// 2 threads and adds about one a second, so actors starved for seconds and real-time deadlines passed before they ran.
/// </summary>
internal static class ThreadPoolFloor
{
#pragma warning disable CA2255 // a test assembly, not a library: it owns its process
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Raise()
    {
        ThreadPool.GetMinThreads(out var worker, out var io);
        ThreadPool.SetMinThreads(Math.Max(worker, 32), io);
    }
}
