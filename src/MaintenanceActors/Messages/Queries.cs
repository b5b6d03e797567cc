namespace MaintenanceActors;

/// <summary>Asks the supervisor for <see cref="MaintenanceStatus"/>; answered at once, even mid-drain.</summary>
public sealed class GetMaintenanceStatus
{
    /// <summary>The only instance.</summary>
    public static readonly GetMaintenanceStatus Instance = new();
    private GetMaintenanceStatus() { }
}

/// <summary>Asks for health: the supervisor answers <see cref="MaintenanceHealthReport"/>, a resource <see cref="ResourceHealth"/>, a source <see cref="SourceHealth"/>.</summary>
public sealed class GetHealth
{
    /// <summary>The only instance.</summary>
    public static readonly GetHealth Instance = new();
    private GetHealth() { }
}

/// <summary>Asks for statistics: a resource answers <see cref="ResourceStats"/>, the supervisor <see cref="ResourceStatsReport"/>.</summary>
public sealed class GetResourceStats
{
    /// <summary>The only instance.</summary>
    public static readonly GetResourceStats Instance = new();
    private GetResourceStats() { }
}

/// <summary>The supervisor's answer to <see cref="GetResourceStats"/>: one entry per resource that answered.</summary>
public sealed record ResourceStatsReport(IReadOnlyList<ResourceStats> Resources);
