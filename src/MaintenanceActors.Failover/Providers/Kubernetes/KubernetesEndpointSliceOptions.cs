namespace MaintenanceActors.Failover.Providers;

/// <summary>Which Kubernetes services the EndpointSlice provider follows and how it reaches the API server.</summary>
public sealed class KubernetesEndpointSliceOptions
{
    /// <summary>Kubernetes service names to follow (their slices carry the label <c>kubernetes.io/service-name</c>). Required.</summary>
    public List<string> Services { get; set; } = new();

    /// <summary>The namespace of the services (default <c>default</c>).</summary>
    public string Namespace { get; set; } = "default";

    /// <summary>Name of the slice port to call (e.g. <c>http</c>); null (default): the first port of each slice.</summary>
    public string? PortName { get; set; }

    /// <summary>Protocol of the registered endpoints: http (default), https, grpc or tcp.</summary>
    public string Protocol { get; set; } = "http";

    /// <summary>
    /// API server URL (e.g. <c>https://10.0.0.1:6443</c>); null (default): the in-cluster configuration when running in a pod,
    /// else the default kubeconfig.
    /// </summary>
    public string? Host { get; set; }

    /// <summary>First delay before listing and watching again after a failure (default 200 ms), doubled per attempt.</summary>
    public TimeSpan ReconnectMinBackoff { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay between attempts (default 10 s).</summary>
    public TimeSpan ReconnectMaxBackoff { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string section = "Failover:Kubernetes")
    {
        if (Services.Count == 0 || Services.Any(string.IsNullOrWhiteSpace))
        {
            throw new MaintenanceConfigurationException($"{section}:Services", "must name at least one Kubernetes service (e.g. users-service)");
        }
        if (string.IsNullOrWhiteSpace(Namespace))
        {
            throw new MaintenanceConfigurationException($"{section}:Namespace", "must not be empty (e.g. default)");
        }
        if (Protocol is not ("http" or "https" or "grpc" or "tcp"))
        {
            throw new MaintenanceConfigurationException($"{section}:Protocol", $"must be http, https, grpc or tcp, not '{Protocol}'");
        }
        if (Host is not null && !Uri.TryCreate(Host, UriKind.Absolute, out _))
        {
            throw new MaintenanceConfigurationException($"{section}:Host", $"must be an absolute URL such as https://10.0.0.1:6443, not '{Host}'");
        }
        if (ReconnectMinBackoff <= TimeSpan.Zero || ReconnectMaxBackoff < ReconnectMinBackoff)
        {
            throw new MaintenanceConfigurationException($"{section}:ReconnectMinBackoff", "must be positive and not longer than ReconnectMaxBackoff");
        }
    }
}
