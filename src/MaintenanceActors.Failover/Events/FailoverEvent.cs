namespace MaintenanceActors.Failover;

/// <summary>Something that happened to an endpoint or to the settings, kept in a bounded ring.</summary>
public sealed record FailoverEvent(DateTimeOffset At, FailoverEventKind Kind, string? EndpointId, string? ServiceName, string Detail);

/// <summary>The kind of a <see cref="FailoverEvent"/>.</summary>
public enum FailoverEventKind
{
    Registered,
    Updated,
    Deregistered,
    HealthChanged,
    MaintenanceChanged,
    CircuitOpened,
    CircuitHalfOpened,
    CircuitClosed,
    FailedOver,
    ConfigChanged,
}

/// <summary>Counters over all calls made through the client, and per endpoint.</summary>
public sealed record FailoverStats(
    long Calls,
    long Successes,
    long Failures,
    long Attempts,
    long FailedOver,
    int Endpoints,
    int Selectable,
    IReadOnlyList<EndpointStats> PerEndpoint);

/// <summary>Counters of one endpoint.</summary>
public sealed record EndpointStats(string Id, string Name, long Attempts, long Failures, int ActiveConnections, EndpointHealth Health, CircuitState Circuit, bool InMaintenance);
