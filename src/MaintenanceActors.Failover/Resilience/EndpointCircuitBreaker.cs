namespace MaintenanceActors.Failover;

/// <summary>
/// One endpoint's circuit breaker: opens after <see cref="CircuitBreakerOptions.FailureThreshold"/> consecutive failures,
/// lets up to <see cref="CircuitBreakerOptions.HalfOpenMaxCalls"/> trial calls through once the recovery timeout passed,
/// and closes after <see cref="CircuitBreakerOptions.SuccessThreshold"/> successful trials (one failed trial re-opens it).
/// </summary>
/// <remarks>
/// Polly 8's breaker counts a failure ratio over a sampling window and lets exactly one trial call through, so it cannot
/// express these four settings; this state machine does, on the same <see cref="TimeProvider"/> as the Polly retry.
/// The closed path is lock-free (one volatile read per selection, one interlocked op per failure); transitions take a lock.
/// Selection reads <see cref="IsSelectable"/> and never calls the clock while the circuit is closed.
/// </remarks>
internal sealed class EndpointCircuitBreaker
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    
    private volatile CircuitBreakerOptions _options;
    private volatile int _state; // CircuitState
    private long _openUntil;
    private int _consecutiveFailures;
    private int _trialsInFlight;
    private int _trialSuccesses;

    public EndpointCircuitBreaker(CircuitBreakerOptions options, TimeProvider time, Action<EndpointCircuitBreaker, CircuitState>? transitioned = null)
    {
        _options = options;
        _time = time;
        Transitioned = transitioned;
    }

    /// <summary>Called after each transition, outside the lock (the registry records it as an event).</summary>
    public Action<EndpointCircuitBreaker, CircuitState>? Transitioned { get; set; }

    public CircuitState State => (CircuitState)_state;

    public CircuitBreakerOptions Options
    {
        get => _options;
        set => _options = value;
    }

    /// <summary>True when a call may be sent: closed, open past its recovery timeout, or half-open with trial room.</summary>
    public bool IsSelectable
    {
        get
        {
            var state = _state;
            if (state == (int)CircuitState.Closed) return true;
            if (state == (int)CircuitState.Open) return _time.GetTimestamp() >= Volatile.Read(ref _openUntil);
            return Volatile.Read(ref _trialsInFlight) < _options.HalfOpenMaxCalls;
        }
    }

    /// <summary>Asks to send one call; a trial permit must be reported as a trial.</summary>
    public Permit TryAcquire()
    {
        if (_state == (int)CircuitState.Closed) return Permit.Normal;
        bool halfOpened = false;
        Permit permit;
        lock (_gate)
        {
            if (_state == (int)CircuitState.Open && _time.GetTimestamp() >= _openUntil)
            {
                _state = (int)CircuitState.HalfOpen;
                _trialsInFlight = 0;
                _trialSuccesses = 0;
                halfOpened = true;
            }
            if (_state == (int)CircuitState.Closed)
            {
                permit = Permit.Normal;
            }
            else if (_state == (int)CircuitState.HalfOpen && _trialsInFlight < _options.HalfOpenMaxCalls)
            {
                _trialsInFlight++;
                permit = Permit.Trial;
            }
            else
            {
                permit = Permit.Denied;
            }
        }
        if (halfOpened) Transitioned?.Invoke(this, CircuitState.HalfOpen);
        return permit;
    }

    public void OnSuccess(Permit permit)
    {
        if (permit != Permit.Trial)
        {
            if (Volatile.Read(ref _consecutiveFailures) != 0) Volatile.Write(ref _consecutiveFailures, 0);
            return;
        }
        bool closed = false;
        lock (_gate)
        {
            if (_state != (int)CircuitState.HalfOpen) return;
            _trialsInFlight--;
            if (++_trialSuccesses >= _options.SuccessThreshold)
            {
                _state = (int)CircuitState.Closed;
                _consecutiveFailures = 0;
                closed = true;
            }
        }
        if (closed) Transitioned?.Invoke(this, CircuitState.Closed);
    }

    public void OnFailure(Permit permit)
    {
        if (permit == Permit.Denied) return;
        if (permit == Permit.Normal && Interlocked.Increment(ref _consecutiveFailures) < _options.FailureThreshold) return;
        bool opened = false;
        lock (_gate)
        {
            // A normal call that finishes after the circuit opened (or re-opened) changes nothing.
            var trialFailed = permit == Permit.Trial && _state == (int)CircuitState.HalfOpen;
            var thresholdReached = permit == Permit.Normal && _state == (int)CircuitState.Closed;
            if (trialFailed || thresholdReached)
            {
                _state = (int)CircuitState.Open;
                _openUntil = _time.GetTimestamp() + (long)(_options.RecoveryTimeout.TotalSeconds * _time.TimestampFrequency);
                _trialsInFlight = 0;
                opened = true;
            }
        }
        if (opened) Transitioned?.Invoke(this, CircuitState.Open);
    }

    /// <summary>Gives a permit back unused (the call was never sent).</summary>
    public void Release(Permit permit)
    {
        if (permit != Permit.Trial) return;
        lock (_gate)
        {
            if (_state == (int)CircuitState.HalfOpen && _trialsInFlight > 0) _trialsInFlight--;
        }
    }

    internal enum Permit
    {
        Denied,
        Normal,
        Trial,
    }
}
