namespace MaintenanceActors.Failover;

/// <summary>Adds an endpoint (or replaces one with the same id); answers <see cref="EndpointAccepted"/> or <see cref="EndpointRejected"/>.</summary>
public sealed record RegisterEndpoint(ServiceEndpoint Endpoint, string Source = "static");

/// <summary>Replaces an endpoint's description; an unknown id is registered. Answers like <see cref="RegisterEndpoint"/>.</summary>
public sealed record UpdateEndpoint(ServiceEndpoint Endpoint, string Source = "static");

/// <summary>Removes an endpoint registered by <paramref name="Source"/>; answers <see cref="EndpointRemoved"/>.</summary>
public sealed record DeregisterEndpoint(string Id, string Source = "static");

/// <summary>Puts one endpoint in or out of maintenance (remembered even before the endpoint is registered); answers <see cref="MaintenanceApplied"/>.</summary>
public sealed record SetEndpointMaintenance(string Id, bool InMaintenance, string? Reason = null, string Source = "maintenance");

/// <summary>Puts every endpoint of a service (present and future) in or out of maintenance; answers <see cref="MaintenanceApplied"/>.</summary>
public sealed record SetServiceMaintenance(string ServiceName, bool InMaintenance, string? Reason = null, string Source = "maintenance");

/// <summary>Asks for one endpoint; answers <see cref="EndpointSnapshot"/> or <see cref="EndpointNotFound"/>.</summary>
public sealed record GetEndpoint(string Id);

/// <summary>Asks for the endpoints of one service (or all); answers <c>IReadOnlyList&lt;EndpointSnapshot&gt;</c>.</summary>
public sealed record ListEndpoints(string? Name = null);

/// <summary>Replaces the failover settings at run time; answers <see cref="ConfigApplied"/> or <see cref="ConfigRejected"/>.</summary>
public sealed record Configure(FailoverOptions Options);

/// <summary>Asks for the current settings; answers <see cref="FailoverOptions"/>.</summary>
public sealed record GetConfig
{
    public static readonly GetConfig Instance = new();
}

/// <summary>Runs the endpoint's health check now; answers <see cref="EndpointHealthReport"/> or <see cref="EndpointNotFound"/>.</summary>
public sealed record HealthCheck(string Id);

/// <summary>Runs every endpoint's health check now, in parallel; answers <c>IReadOnlyList&lt;EndpointHealthReport&gt;</c>.</summary>
public sealed record HealthCheckAll
{
    public static readonly HealthCheckAll Instance = new();
}

/// <summary>Asks for counters; answers <see cref="FailoverStats"/>.</summary>
public sealed record GetStats
{
    public static readonly GetStats Instance = new();
}

/// <summary>Asks for the newest events, newest last; answers <c>IReadOnlyList&lt;FailoverEvent&gt;</c>.</summary>
public sealed record GetEvents(int Limit = 100);

/// <summary>The endpoint was stored.</summary>
public sealed record EndpointAccepted(string Id);

/// <summary>The endpoint was invalid; <paramref name="Reason"/> names the field.</summary>
public sealed record EndpointRejected(string? Id, string Reason);

/// <summary>Answer to <see cref="DeregisterEndpoint"/>; <paramref name="Removed"/> is false when the id was unknown or owned by another source.</summary>
public sealed record EndpointRemoved(string Id, bool Removed);

/// <summary>No endpoint has that id.</summary>
public sealed record EndpointNotFound(string Id);

/// <summary>The maintenance flag was recorded.</summary>
public sealed record MaintenanceApplied(string Target, bool InMaintenance);

/// <summary>The new settings are in force.</summary>
public sealed record ConfigApplied(FailoverOptions Options);

/// <summary>The settings were invalid and the old ones stay; <paramref name="Reason"/> names the field.</summary>
public sealed record ConfigRejected(string Reason);
