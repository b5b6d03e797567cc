namespace MaintenanceActors.Failover.Providers;

/// <summary>The registry's <c>Source</c> names of the providers in this folder: a provider only ever removes what it registered.</summary>
public static class ProviderSources
{
    /// <summary>Endpoints registered in etcd under <c>/services/</c>.</summary>
    public const string Etcd = "etcd";

    /// <summary>Maintenance flags from the etcd maintenance keys.</summary>
    public const string Maintenance = "maintenance";

    /// <summary>Endpoints from Kubernetes EndpointSlices.</summary>
    public const string Kubernetes = "kubernetes";

    /// <summary>Endpoints from Consul's health API.</summary>
    public const string Consul = "consul";
}
