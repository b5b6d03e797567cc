namespace MaintenanceActors.Failover;

/// <summary>
/// The live record of one endpoint, shared between the registry actor (the only writer of description, health and
/// maintenance) and the callers that select it (who move the counters and the breaker).
/// </summary>
internal sealed class EndpointEntry
{
    public const int InMaintenanceFlag = 1;
    public const int UnhealthyFlag = 2;
    public const int CircuitNotClosedFlag = 4;

    private volatile ServiceEndpoint _endpoint;
    private int _flags; // read with Volatile semantics through the property; written with Interlocked
    private volatile EndpointHealth _health;

    public EndpointEntry(ServiceEndpoint endpoint, string source, EndpointCircuitBreaker breaker)
    {
        _endpoint = endpoint;
        Source = source;
        Breaker = breaker;
    }

    public ServiceEndpoint Endpoint
    {
        get => _endpoint;
        set => _endpoint = value;
    }

    public string Id => _endpoint.Id;

    public string Source { get; set; }

    public EndpointCircuitBreaker Breaker { get; }

    public EndpointHealth Health
    {
        get => _health;
        set
        {
            _health = value;
            SetFlag(UnhealthyFlag, value == EndpointHealth.Unhealthy);
        }
    }

    public bool InMaintenance { get; private set; }

    public string? MaintenanceReason { get; private set; }

    public DateTimeOffset? LastHealthCheck { get; set; }

    public string? LastHealthDetail { get; set; }

    public bool Removed { get; set; }

    // Counters moved by callers with Interlocked.
    public int Active;
    public long Attempts;
    public long Failures;

    /// <summary>Selection's test: one volatile read while all is well; the breaker (and its clock) only when its circuit is not closed.</summary>
    /// <remarks>The circuit flag mirrors the breaker after each transition and may lag it for a moment either way: a stale
    /// "not closed" only costs the breaker check, a stale "closed" is caught when the call asks the breaker for a permit.</remarks>
    public bool IsSelectable
    {
        get
        {
            var flags = Volatile.Read(ref _flags);
            return flags == 0 || (flags == CircuitNotClosedFlag && Breaker.IsSelectable);
        }
    }

    /// <summary>Mirrors the breaker's state into the flags (called after each transition).</summary>
    public void CircuitChanged()
    {
        bool notClosed;
        do
        {
            notClosed = Breaker.State != CircuitState.Closed;
            SetFlag(CircuitNotClosedFlag, notClosed);
        }
        while ((Breaker.State != CircuitState.Closed) != notClosed);
    }

    public void SetMaintenance(bool on, string? reason)
    {
        InMaintenance = on;
        MaintenanceReason = on ? reason : null;
        SetFlag(InMaintenanceFlag, on);
    }

    // The actor (health, maintenance) and callers (circuit) set different bits concurrently: each changes only its own.
    private void SetFlag(int flag, bool on)
    {
        int old, next;
        do
        {
            old = _flags;
            next = on ? old | flag : old & ~flag;
        }
        while (old != next && Interlocked.CompareExchange(ref _flags, next, old) != old);
    }

    public EndpointSnapshot Snapshot() => new(
        _endpoint, Source, _health, Breaker.State, InMaintenance, MaintenanceReason, Volatile.Read(ref Active), LastHealthCheck, LastHealthDetail);
}
