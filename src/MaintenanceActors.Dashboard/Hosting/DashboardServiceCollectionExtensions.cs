using MaintenanceActors.Dashboard.Hosting;
using MaintenanceActors.Dashboard.Watch;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Dashboard;

/// <summary>Registers the dashboard's etcd watch and state in a service's container, for <see cref="MaintenanceDashboardEndpoints.MapMaintenanceDashboard"/>.</summary>
public static class DashboardServiceCollectionExtensions
{
    /// <summary>Adds the dashboard: its options are validated now (errors name the field), its one etcd watch runs as a hosted service.</summary>
    public static IServiceCollection AddMaintenanceDashboard(this IServiceCollection services, Action<DashboardOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new DashboardOptions();
        configure(options);
        return services.AddMaintenanceDashboard(options);
    }

    /// <summary>Adds the dashboard with <paramref name="options"/> (validated now).</summary>
    public static IServiceCollection AddMaintenanceDashboard(this IServiceCollection services, DashboardOptions options)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        services.AddSingleton(sp => DashboardRuntime.Create(options, sp.GetService<ILoggerFactory>()));
        services.AddHostedService(sp =>
        {
            var runtime = sp.GetRequiredService<DashboardRuntime>();
            return new FleetWatch(runtime.Backend, runtime.State, runtime.Options, sp.GetRequiredService<ILogger<FleetWatch>>());
        });
        return services;
    }
}
