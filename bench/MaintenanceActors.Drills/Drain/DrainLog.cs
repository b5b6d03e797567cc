using System.Collections.Concurrent;
using System.Diagnostics;

namespace MaintenanceActors.Drills.Drain;

/// <summary>
/// Each resource's own drain, stamped inside the resource: from the moment its wait for idle began to the moment
/// that wait finished. This is the work the coordinator cannot avoid, measured, not the configured duration.
/// </summary>
internal sealed class DrainLog
{
    private readonly ConcurrentDictionary<string, (long Started, long Finished)> _drains = new();

    /// <summary>Forgets the previous round.</summary>
    public void Clear() => _drains.Clear();

    /// <summary>Called by a resource when its wait finished.</summary>
    public void Record(string resource, long startedAt) => _drains[resource] = (startedAt, Stopwatch.GetTimestamp());

    /// <summary>The longest drain of the round, with its resource; fails unless <paramref name="expected"/> resources reported.</summary>
    public (string Resource, double Milliseconds) Slowest(int expected)
    {
        var drains = _drains.ToArray();
        if (drains.Length != expected)
        {
            throw new InvalidOperationException($"{drains.Length} of {expected} resources recorded their drain");
        }
        var slowest = drains.MaxBy(d => d.Value.Finished - d.Value.Started);
        return (slowest.Key, Core.LatencyStats.Ms(slowest.Value.Started, slowest.Value.Finished));
    }
}
