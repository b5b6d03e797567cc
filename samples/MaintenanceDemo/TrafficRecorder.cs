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

    /// <summary>
    /// The requests in flight at the instant <paramref name="at"/>, decided afterwards from each request's own start and
    /// end times (a walk over live records while clients run would mix moments). A client runs one request at a time,
    /// so this never exceeds the number of clients.
    /// </summary>
    public IReadOnlyList<RequestRecord> InFlightAt(TimeSpan at) =>
        records.Values.Where(r => r.Start <= at && (r.End is null || r.End > at)).ToArray();

    /// <summary>A slow request that started at least <paramref name="minAge"/> ago and has most of its time still ahead, if any.</summary>
    public RequestRecord? SlowRequestMidway(TimeSpan minAge, TimeSpan maxAge)
    {
        var now = clock.Elapsed;
        return records.Values.FirstOrDefault(r => r.Slow && r.End is null && now - r.Start >= minAge && now - r.Start <= maxAge);
    }

    public IReadOnlyCollection<RequestRecord> All => records.Values.ToArray();

    /// <summary>Requests that neither completed normally nor were cleanly refused.</summary>
    public int Lost => records.Values.Count(r => r.End is not null && r.Status is not (200 or 201 or 503));
}
