using System.Collections.Concurrent;
using System.Diagnostics;

namespace MaintenanceActors.Drills.Core;

/// <summary>When each etcd revision was seen by one observer; the observer may see it before the writer learns its number.</summary>
internal sealed class Arrivals
{
    private readonly ConcurrentDictionary<long, TaskCompletionSource<long>> _byRevision = new();

    /// <summary>Stamps <paramref name="revision"/> with the current <see cref="Stopwatch"/> timestamp (first sighting wins).</summary>
    public void Record(long revision)
    {
        var now = Stopwatch.GetTimestamp();
        Slot(revision).TrySetResult(now);
    }

    /// <summary>The timestamp of <paramref name="revision"/>'s arrival; fails when it does not come within the drill timeout.</summary>
    public async Task<long> WhenArrived(long revision, string observer)
    {
        try
        {
            var stamp = await Slot(revision).Task.WaitAsync(DrillSettings.EventTimeout).ConfigureAwait(false);
            _byRevision.TryRemove(revision, out _);
            return stamp;
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"{observer} did not see revision {revision} within {DrillSettings.EventTimeout.TotalSeconds} s");
        }
    }

    private TaskCompletionSource<long> Slot(long revision) =>
        _byRevision.GetOrAdd(revision, static _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously));
}
