using System.Diagnostics.Metrics;

namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>
/// Reads one pool's figures from Npgsql's own meter ("Npgsql": <c>db.client.connection.count</c> by state,
/// <c>…max</c>, <c>…npgsql.pending_requests</c>), telling pools apart by their <c>db.client.connection.pool.name</c> tag.
/// </summary>
internal sealed class NpgsqlPoolMeter : IDisposable
{
    private const string MeterName = "Npgsql";
    private const string PoolTag = "db.client.connection.pool.name";
    private const string StateTag = "db.client.connection.state";

    private readonly string _poolName;
    private readonly MeterListener _listener = new();
    private long _idle = -1;
    private long _used = -1;
    private long _max = -1;
    private long _pending;

    public NpgsqlPoolMeter(string poolName)
    {
        _poolName = poolName;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == MeterName && instrument.Name is "db.client.connection.count" or "db.client.connection.max"
                    or "db.client.connection.npgsql.pending_requests")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>The pool's figures now; a figure Npgsql did not report (yet) is left out.</summary>
    public IEnumerable<KeyValuePair<string, long>> Read()
    {
        // Observable instruments report only when asked, on this thread.
        _listener.RecordObservableInstruments();
        if (Interlocked.Read(ref _idle) is var idle and >= 0)
        {
            yield return new("pool_idle", idle);
        }
        if (Interlocked.Read(ref _used) is var used and >= 0)
        {
            yield return new("pool_used", used);
        }
        if (Interlocked.Read(ref _max) is var max and >= 0)
        {
            yield return new("pool_max", max);
        }
        yield return new("pool_pending", Interlocked.Read(ref _pending));
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        string? pool = null;
        string? state = null;
        foreach (var tag in tags)
        {
            if (tag.Key == PoolTag)
            {
                pool = tag.Value as string;
            }
            else if (tag.Key == StateTag)
            {
                state = tag.Value as string;
            }
        }
        if (pool != _poolName)
        {
            return;
        }
        switch (instrument.Name)
        {
            case "db.client.connection.count" when state == "idle":
                Interlocked.Exchange(ref _idle, value);
                break;
            case "db.client.connection.count" when state == "used":
                Interlocked.Exchange(ref _used, value);
                break;
            case "db.client.connection.max":
                Interlocked.Exchange(ref _max, value);
                break;
            case "db.client.connection.npgsql.pending_requests":
                Interlocked.Add(ref _pending, value); // an up-down counter reports changes
                break;
        }
    }
}
