namespace MaintenanceActors.Failover.Discovery;

/// <summary>How the Microsoft.Extensions.ServiceDiscovery endpoint provider over the failover registry behaves.</summary>
public sealed class FailoverServiceDiscoveryOptions
{
    /// <summary>Service names answered from the registry; empty (default): every name without a dot that is not <c>localhost</c>.</summary>
    public HashSet<string> Services { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// How often a resolved service's endpoints are compared with the registry (default 100 ms); a change (an endpoint added,
    /// removed, put in maintenance, unhealthy or open-circuited) refreshes the resolver at once through its change token.
    /// </summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Checks the settings; throws <see cref="MaintenanceConfigurationException"/> naming the first bad field.</summary>
    public void Validate(string section = "Failover:ServiceDiscovery")
    {
        if (RefreshInterval <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:RefreshInterval", $"must be a positive duration (e.g. 00:00:00.100), but was {RefreshInterval}");
        }
    }

    internal bool IsService(string name) =>
        Services.Count > 0 ? Services.Contains(name) : name.Length > 0 && !name.Contains('.') && !name.Equals("localhost", StringComparison.OrdinalIgnoreCase);
}
