using k8s;

namespace MaintenanceActors.Failover.Providers;

/// <summary>Adds the Kubernetes EndpointSlice provider to <c>services.AddFailover(f => ...)</c>.</summary>
public static class FailoverBuilderKubernetesExtensions
{
    /// <summary>
    /// Endpoints from the EndpointSlices of <see cref="KubernetesEndpointSliceOptions.Services"/> (provider <c>kubernetes</c>):
    /// ready addresses are registered as <c>{service}/{pod}</c>, so the etcd maintenance keys apply to them too.
    /// </summary>
    /// <param name="builder">The failover builder.</param>
    /// <param name="configure">Sets the services, namespace, port and API server.</param>
    /// <param name="client">The Kubernetes client to use; default: one built from <see cref="KubernetesEndpointSliceOptions.Host"/>,
    /// the in-cluster configuration, or the default kubeconfig.</param>
    public static FailoverBuilder UseKubernetesEndpointSlices(this FailoverBuilder builder, Action<KubernetesEndpointSliceOptions> configure,
        Func<IServiceProvider, IKubernetes>? client = null)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new KubernetesEndpointSliceOptions();
        configure(options);
        options.Validate();
        return builder.AddProvider("kubernetes", (sp, registry) =>
            KubernetesEndpointSliceProvider.Props(registry, options, client?.Invoke(sp) ?? CreateClient(options)));
    }

    private static Kubernetes CreateClient(KubernetesEndpointSliceOptions options)
    {
        var config = options.Host is not null
            ? new KubernetesClientConfiguration { Host = options.Host }
            : KubernetesClientConfiguration.IsInCluster() ? KubernetesClientConfiguration.InClusterConfig() : KubernetesClientConfiguration.BuildDefaultConfig();
        return new Kubernetes(config);
    }
}
