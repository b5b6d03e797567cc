using System.Diagnostics;

namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>
/// The one gate every database connection of a pool passes, whether EF Core (the interceptor) or ADO.NET/Dapper (the
/// data source wrapper) opens it: it counts connections in use exactly and, in maintenance, refuses or holds opens
/// beyond the allowance.
/// </summary>
/// <remarks>
/// Admission and counting happen under one lock, so a drain that reads "in use ≤ allowance" can never be overtaken by an
/// open that checked before the gate closed. The lock is uncontended outside maintenance (one increment, one decrement
/// per connection), which keeps the cost below what a round trip to the database can show.
/// </remarks>
internal sealed class DbConnectionGate
{
    private readonly object _lock = new();
    private readonly string _resource;
    private readonly int _allowance;
    private readonly TimeSpan _openWait;
    private int _inUse;
    private bool _closed;
    private string? _reason;
    private long _opened;
    private long _refused;
    private long _waits;

    // Completed (and replaced) whenever something a waiter cares about changes while the gate is closed: a connection
    // given back, or the gate opening. Waiters re-check under the lock, so a spurious wake-up costs one loop.
    private TaskCompletionSource _changed = NewSignal();

    public DbConnectionGate(string resource, int allowance, TimeSpan openWait)
    {
        _resource = resource;
        _allowance = allowance;
        _openWait = openWait;
    }

    public int Allowance => _allowance;

    /// <summary>Connections opened through the gate and not yet given back.</summary>
    public int InUse => Volatile.Read(ref _inUse);

    public bool IsClosed
    {
        get
        {
            lock (_lock)
            {
                return _closed;
            }
        }
    }

    public DbGateStats GetStats() => new(InUse, Interlocked.Read(ref _opened), Interlocked.Read(ref _refused), Interlocked.Read(ref _waits));

    /// <summary>Admits one open or throws <see cref="MaintenanceException"/>; waits (bounded) first if so configured.</summary>
    public async ValueTask EnterAsync(CancellationToken cancellationToken)
    {
        Task signal;
        lock (_lock)
        {
            if (TryAdmit())
            {
                return;
            }
            signal = BeginWait();
        }
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var remaining = _openWait - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero)
            {
                throw Refuse();
            }
            try
            {
                await signal.WaitAsync(remaining, cancellationToken).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw Refuse();
            }
            lock (_lock)
            {
                if (TryAdmit())
                {
                    return;
                }
                signal = _changed.Task;
            }
        }
    }

    /// <summary>The blocking form of <see cref="EnterAsync"/>, for synchronous opens.</summary>
    public void Enter()
    {
        Task signal;
        lock (_lock)
        {
            if (TryAdmit())
            {
                return;
            }
            signal = BeginWait();
        }
        var started = Stopwatch.GetTimestamp();
        while (true)
        {
            var remaining = _openWait - Stopwatch.GetElapsedTime(started);
            if (remaining <= TimeSpan.Zero || !signal.Wait(remaining))
            {
                throw Refuse();
            }
            lock (_lock)
            {
                if (TryAdmit())
                {
                    return;
                }
                signal = _changed.Task;
            }
        }
    }

    /// <summary>Gives one admitted connection back. Call exactly once per successful <see cref="Enter"/>.</summary>
    public void Exit()
    {
        lock (_lock)
        {
            _inUse--;
            if (_closed)
            {
                SignalChanged();
            }
        }
    }

    /// <summary>From now on, admit only up to the allowance; <paramref name="reason"/> goes into the refusals.</summary>
    public void Close(string? reason)
    {
        lock (_lock)
        {
            _closed = true;
            _reason = reason;
        }
    }

    /// <summary>Admit every open again, waiters included.</summary>
    public void Open()
    {
        lock (_lock)
        {
            _closed = false;
            _reason = null;
            SignalChanged();
        }
    }

    /// <summary>Completes when at most <see cref="Allowance"/> connections are in use.</summary>
    public async Task WhenWithinAllowanceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            Task signal;
            lock (_lock)
            {
                if (_inUse <= _allowance)
                {
                    return;
                }
                signal = _changed.Task;
            }
            await signal.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private bool TryAdmit()
    {
        if (_closed && _inUse >= _allowance)
        {
            return false;
        }
        _inUse++;
        _opened++;
        return true;
    }

    // Called under the lock when an open is not admitted: fails at once unless waiting is configured.
    private Task BeginWait()
    {
        if (_openWait <= TimeSpan.Zero)
        {
            throw Refuse();
        }
        _waits++;
        return _changed.Task;
    }

    private MaintenanceException Refuse()
    {
        Interlocked.Increment(ref _refused);
        string? reason;
        lock (_lock)
        {
            reason = _reason;
        }
        var waited = _openWait > TimeSpan.Zero ? $" (waited {_openWait.TotalSeconds:0.###} s)" : "";
        return new MaintenanceException(_resource,
            $"The service is in maintenance: no new database connection may be opened for '{_resource}'{waited}; retry after maintenance ends.",
            reason);
    }

    private void SignalChanged()
    {
        var changed = _changed;
        _changed = NewSignal();
        changed.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Counters of a <see cref="DbConnectionGate"/>.</summary>
internal sealed record DbGateStats(int InUse, long Opened, long Refused, long Waits);
