using System.Collections.Concurrent;

namespace MaintenanceActors.Dashboard.Endpoints;

/// <summary>The page's files, embedded in this assembly (<c>wwwroot/</c>), read once.</summary>
internal static class DashboardAssets
{
    private static readonly ConcurrentDictionary<string, byte[]> Cache = new(StringComparer.Ordinal);

    public static byte[] Get(string name) => Cache.GetOrAdd(name, static n =>
    {
        using var stream = typeof(DashboardAssets).Assembly.GetManifestResourceStream($"dashboard/{n}")
            ?? throw new InvalidOperationException($"The dashboard asset '{n}' is not embedded in {typeof(DashboardAssets).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });
}
