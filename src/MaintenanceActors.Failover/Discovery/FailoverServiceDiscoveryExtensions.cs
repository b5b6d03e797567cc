using MaintenanceActors.Failover;
using MaintenanceActors.Failover.Discovery;
using Microsoft.Extensions.ServiceDiscovery;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the failover registry as an endpoint provider of Microsoft.Extensions.ServiceDiscovery.</summary>
public static class FailoverServiceDiscoveryExtensions
{
    /// <summary>
    /// <c>http://users-service</c> in an HttpClient with <c>.AddServiceDiscovery()</c> (and a gRPC channel through such a client)
    /// resolves to the service's selectable endpoints in the failover registry. Call after <c>AddServiceDiscovery()</c> or
    /// <c>AddServiceDiscoveryCore()</c>, and <c>AddFailover(...)</c>. For retries on another endpoint use
    /// <see cref="FailoverHttpClientBuilderExtensions.AddFailover"/> instead: service discovery itself only resolves.
    /// </summary>
    public static IServiceCollection AddFailoverServiceEndpointProvider(this IServiceCollection services, Action<FailoverServiceDiscoveryOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new FailoverServiceDiscoveryOptions();
        configure?.Invoke(options);
        options.Validate();
        // First among the providers, so the registry answers before the pass-through provider would take the name as a DNS name.
        services.Insert(0, ServiceDescriptor.Singleton<IServiceEndpointProviderFactory>(sp =>
            new FailoverServiceEndpointProviderFactory(sp.GetRequiredService<IFailoverClient>(), options, sp.GetService<TimeProvider>() ?? TimeProvider.System)));
        return services;
    }
}
