namespace MaintenanceActors.AspNetCore.Gate;

/// <summary>
/// Admits or refuses units of work (requests, calls) and counts those in flight, so that a
/// drain can wait until every admitted unit has finished.
/// </summary>
/// <remarks>
/// Race-freedom comes from one 64-bit state word changed only with interlocked operations:
/// a unit is counted first and only then looks at the closed flag in the value its own increment
/// returned. A unit that saw "open" is therefore counted in every state a closer can observe, so
/// "closed with zero in flight" can never be seen while an admitted unit runs, and once seen it
/// stays true until <see cref="Open"/>. See docs/request-gate.md.
/// </remarks>
internal sealed class RequestGate
{
    // Layout: bits 0-31 count (admitted units plus refused ones not yet uncounted), bit 32 closed,
    // bits 33-62 closure generation. The generation lets a unit that drops the count to zero
    // complete only the idle signal of the closure it observed, never a later one.
    private const long CountMask = 0xFFFF_FFFFL;
    private const long ClosedBit = 1L << 32;
    private const int GenerationShift = 33;
    private const long GenerationMask = (1L << 30) - 1;

    private readonly Lock _sync = new();
    private readonly TimeProvider _timeProvider;
    private long _state;
    private long _served;
    private long _refused;
    private volatile IdleSignal _idle = new(0);
    private volatile GateClosure? _closure;
    private volatile CancellationTokenSource _endRequested = new();

    public RequestGate(string name, TimeProvider? timeProvider = null)
    {
        Name = name;
        _timeProvider = timeProvider ?? TimeProvider.System;
    }

    /// <summary>Name used in logs and stats ("http", "grpc").</summary>
    public string Name { get; }

    public bool IsClosed => (Volatile.Read(ref _state) & ClosedBit) != 0;

    /// <summary>Units in flight; may briefly include a refused unit between its count and uncount.</summary>
    public long InFlight => Volatile.Read(ref _state) & CountMask;

    /// <summary>
    /// Why the gate is (or was last) closed. Kept after reopening: a request refused just before the
    /// gate reopened still gets the reason of the closure that refused it.
    /// </summary>
    public GateClosure? Closure => _closure;

    /// <summary>Cancelled by <see cref="EndInFlight"/>: long-running units should stop when it fires.</summary>
    public CancellationToken EndRequested => _endRequested.Token;

    /// <summary>A task that completes when the gate is closed and nothing admitted is in flight.</summary>
    /// <remarks>Cancelled if the gate reopens first. While open, it belongs to the next closure's predecessor and is not meaningful.</remarks>
    public Task WhenIdle => _idle.Task;

    public RequestGateStats GetStats()
    {
        long state = Volatile.Read(ref _state);
        return new RequestGateStats(state & CountMask, Volatile.Read(ref _served), Volatile.Read(ref _refused), (state & ClosedBit) != 0);
    }

    /// <summary>Counts a unit in and returns true, or returns false when the gate is closed. Allocation-free.</summary>
    public bool TryEnter()
    {
        long state = Interlocked.Increment(ref _state);
        if ((state & ClosedBit) == 0)
        {
            return true;
        }

        Interlocked.Increment(ref _refused);
        Uncount();
        return false;
    }

    /// <summary>Counts out a unit admitted by <see cref="TryEnter"/>. Call exactly once, from a finally block.</summary>
    public void Exit()
    {
        Interlocked.Increment(ref _served);
        Uncount();
    }

    /// <summary>Refuses new units from now on. Returns false when the gate was already closed (the closure info is updated).</summary>
    public bool Close(string? reason = null, DateTimeOffset? until = null)
    {
        lock (_sync)
        {
            _closure = new GateClosure(reason, until, _timeProvider.GetUtcNow());
            while (true)
            {
                long state = Volatile.Read(ref _state);
                if ((state & ClosedBit) != 0)
                {
                    return false;
                }

                long generation = ((state >> GenerationShift) + 1) & GenerationMask;
                var signal = new IdleSignal(generation);

                // Published before the closed bit, so a unit that sees the bit finds this signal (or a newer one).
                _idle = signal;
                long closed = (generation << GenerationShift) | ClosedBit | (state & CountMask);
                if (Interlocked.CompareExchange(ref _state, closed, state) == state)
                {
                    if ((closed & CountMask) == 0)
                    {
                        signal.Complete();
                    }

                    return true;
                }
            }
        }
    }

    /// <summary>Admits units again. Returns false when the gate was already open.</summary>
    public bool Open()
    {
        lock (_sync)
        {
            // Only Close and Open change the closed bit, and both hold the lock.
            if (!IsClosed)
            {
                return false;
            }

            // A fresh end signal before admitting anyone, so no new unit inherits a fired one.
            if (_endRequested.IsCancellationRequested)
            {
                _endRequested = new CancellationTokenSource();
            }

            Interlocked.And(ref _state, ~ClosedBit);
            _idle.Cancel();
            return true;
        }
    }

    /// <summary>Asks units still in flight to end now (e.g. long-lived streams at the drain deadline).</summary>
    public void EndInFlight()
    {
        lock (_sync)
        {
            _endRequested.Cancel();
        }
    }

    private void Uncount()
    {
        long state = Interlocked.Decrement(ref _state);
        if ((state & (ClosedBit | CountMask)) == ClosedBit)
        {
            var signal = _idle;
            if (signal.Generation == ((state >> GenerationShift) & GenerationMask))
            {
                signal.Complete();
            }
        }
    }

    private sealed class IdleSignal(long generation)
    {
        private readonly TaskCompletionSource _tcs = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public long Generation { get; } = generation;

        public Task Task => _tcs.Task;

        public void Complete() => _tcs.TrySetResult();

        public void Cancel() => _tcs.TrySetCanceled();
    }
}
