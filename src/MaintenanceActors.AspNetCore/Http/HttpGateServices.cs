using MaintenanceActors.AspNetCore.Gate;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>Registers what the middleware needs for HTTP: the gates and <see cref="HttpDrainOptions"/>.</summary>
internal static class HttpGateServices
{
    public static IServiceCollection AddHttpGate(this IServiceCollection services, Action<HttpDrainOptions>? configure = null)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<RequestGates>();
        services.TryAddSingleton<MaintenanceGatePlacement>();
        services.TryAddEnumerable(ServiceDescriptor.Transient<IStartupFilter, MaintenanceGateStartupFilter>());
        var options = services.AddOptions<HttpDrainOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return services;
    }
}
