namespace MaintenanceActors.Failover.Providers;

/// <summary>Which Consul services the health provider follows and how it reaches the Consul agent.</summary>
public sealed class ConsulHealthOptions
{
    /// <summary>The agent's HTTP address (default <c>http://127.0.0.1:8500</c>).</summary>
    public string Address { get; set; } = "http://127.0.0.1:8500";

    /// <summary>Consul service names to follow. Required.</summary>
    public List<string> Services { get; set; } = new();

    /// <summary>Datacenter to ask; null (default): the agent's own.</summary>
    public string? Datacenter { get; set; }

    /// <summary>ACL token sent as <c>X-Consul-Token</c>; null (default): none. Never logged.</summary>
    public string? Token { get; set; }

    /// <summary>Protocol of the registered endpoints: http (default), https, grpc or tcp.</summary>
    public string Protocol { get; set; } = "http";

    /// <summary>How long one blocking query may wait for a change (default 30 s; Consul caps it at 10 min).</summary>
    public TimeSpan Wait { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>First delay before asking again after a failure (default 200 ms), doubled per attempt.</summary>
    public TimeSpan ReconnectMinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts (default 10 s).</summary>
    public TimeSpan ReconnectMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = "Failover:Consul")
    {
        if (!Uri.TryCreate(Address, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            throw new MaintenanceConfigurationException($"{section}:Address", $"must be an http(s) URL such as http://127.0.0.1:8500, not '{Address}'");
        }
        if (Services.Count == 0 || Services.Any(s => string.IsNullOrWhiteSpace(s) || s.Contains('/')))
        {
            throw new MaintenanceConfigurationException($"{section}:Services", "must name at least one Consul service, without '/' (e.g. users-service)");
        }
        if (Protocol is not ("http" or "https" or "grpc" or "tcp"))
        {
            throw new MaintenanceConfigurationException($"{section}:Protocol", $"must be http, https, grpc or tcp, not '{Protocol}'");
        }
        if (Wait <= TimeSpan.Zero || Wait > TimeSpan.FromMinutes(10))
        {
            throw new MaintenanceConfigurationException($"{section}:Wait", $"must be between 0 and 10 minutes (e.g. 00:00:30), but was {Wait}");
        }
        if (ReconnectMinBackoff <= TimeSpan.Zero || ReconnectMaxBackoff < ReconnectMinBackoff)
        {
            throw new MaintenanceConfigurationException($"{section}:ReconnectMinBackoff", "must be positive and not longer than ReconnectMaxBackoff");
        }
    }
}
