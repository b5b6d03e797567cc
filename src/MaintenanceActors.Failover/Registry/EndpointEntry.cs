namespace MaintenanceActors.Failover;

/// <summary>
/// The live record of one endpoint, shared between the registry actor (the only writer of description, health and
/// maintenance) and the callers that select it (who move the counters and the breaker).
/// </summary>
internal sealed class EndpointEntry
{
    public const int InMaintenanceFlag = 1;
    public const int UnhealthyFlag = 2;

    private volatile ServiceEndpoint _endpoint;
    private volatile int _flags;
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
            Recompute();
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

    /// <summary>Selection's test: one volatile read while all is well, the breaker's clock only when its circuit is not closed.</summary>
    public bool IsSelectable => _flags == 0 && Breaker.IsSelectable;

    public void SetMaintenance(bool on, string? reason)
    {
        InMaintenance = on;
        MaintenanceReason = on ? reason : null;
        Recompute();
    }

    private void Recompute() =>
        _flags = (InMaintenance ? InMaintenanceFlag : 0) | (_health == EndpointHealth.Unhealthy ? UnhealthyFlag : 0);

    public EndpointSnapshot Snapshot() => new(
        _endpoint, Source, _health, Breaker.State, InMaintenance, MaintenanceReason, Volatile.Read(ref Active), LastHealthCheck, LastHealthDetail);
}
