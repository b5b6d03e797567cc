namespace MaintenanceActors.Failover;

/// <summary>An endpoint with what the registry knows about it at one moment.</summary>
public sealed record EndpointSnapshot(
    ServiceEndpoint Endpoint,
    string Source,
    EndpointHealth Health,
    CircuitState Circuit,
    bool InMaintenance,
    string? MaintenanceReason,
    int ActiveConnections,
    DateTimeOffset? LastHealthCheck,
    string? LastHealthDetail)
{
    /// <summary>True when selection may choose it now (not unhealthy, circuit not open, not in maintenance).</summary>
    public bool Selectable => !InMaintenance && Health != EndpointHealth.Unhealthy && Circuit != CircuitState.Open;
}

/// <summary>The result of one health check.</summary>
public sealed record EndpointHealthReport(string Id, EndpointHealth Health, string? Detail, TimeSpan Duration, DateTimeOffset At);
