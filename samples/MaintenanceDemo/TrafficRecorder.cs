using System.Collections.Concurrent;
using System.Diagnostics;

namespace MaintenanceDemo;

/// <summary>One request as the client saw it.</summary>
internal sealed class RequestRecord
{
    public required TimeSpan Start { get; init; }
    public required bool Slow { get; init; }
    public TimeSpan? End { get; set; }
    public int Status { get; set; }
}

/// <summary>Records every request's start, end and status, relative to the demo's start.</summary>
internal sealed class TrafficRecorder
{
    private readonly Stopwatch clock = Stopwatch.StartNew();
    private readonly ConcurrentDictionary<long, RequestRecord> records = new();
    private long nextId;

    public TimeSpan Elapsed => clock.Elapsed;

    public long Start(bool slow)
    {
        var id = Interlocked.Increment(ref nextId);
        records[id] = new RequestRecord { Start = clock.Elapsed, Slow = slow };
        return id;
    }

    public void End(long id, int status)
    {
        var record = records[id];
        record.Status = status;
        record.End = clock.Elapsed;
    }

    public int InFlight => records.Values.Count(r => r.End is null);

    public int SlowInFlight => records.Values.Count(r => r.End is null && r.Slow);

    public IReadOnlyList<long> InFlightSnapshot() =>
        records.Where(kv => kv.Value.End is null).Select(kv => kv.Key).ToArray();

    public RequestRecord Get(long id) => records[id];

    public IReadOnlyCollection<RequestRecord> All => records.Values.ToArray();

    /// <summary>Requests that neither completed normally nor were cleanly refused.</summary>
    public int Lost => records.Values.Count(r => r.End is not null && r.Status is not (200 or 201 or 503));
}
