using MaintenanceActors.Actors;
using MaintenanceActors.Actors.Hosting;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Registers maintenance mode: <c>services.AddMaintenance(m => m.UseEtcd().AddResource&lt;MyDrainActor&gt;("api"))</c>.</summary>
public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>The actor system name used when the application has not registered one.</summary>
    public const string ActorSystemName = "maintenance";

    /// <summary>Registers the coordinator, <see cref="IMaintenance"/>, health checks ("ready" and "live") and, if needed, an actor system.</summary>
    /// <remarks>Options come from the <c>Maintenance</c> configuration section and are validated when the host starts.</remarks>
    public static IServiceCollection AddMaintenance(this IServiceCollection services, Action<MaintenanceBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(MaintenanceCoordinator)))
        {
            throw new InvalidOperationException("AddMaintenance was called twice; configure everything in one call.");
        }
        var builder = new MaintenanceBuilder(services);
        configure(builder);

        services.AddSingleton(sp => CreateCoordinator(sp, builder));
        services.AddSingleton<IMaintenance>(sp => sp.GetRequiredService<MaintenanceCoordinator>());
        services.AddHealthChecks()
            .AddCheck<MaintenanceReadinessCheck>("maintenance", tags: new[] { "ready" })
            .AddCheck<MaintenanceLivenessCheck>("maintenance-coordinator", tags: new[] { "live" });

        Action<ActorSystem, ActorRegistry, IServiceProvider> starter = (_, registry, sp) =>
        {
            var coordinator = sp.GetRequiredService<MaintenanceCoordinator>();
            coordinator.Start();
            registry.Register<MaintenanceSupervisor>(coordinator.Supervisor);
        };
        var existing = services.FirstOrDefault(d => d.ServiceType == typeof(ActorSystemBuilder))?.ImplementationInstance as ActorSystemBuilder;
        if (existing is not null)
        {
            existing.WithActors(starter);
        }
        else
        {
            services.AddActorSystem(ActorSystemName, b => b.WithActors(starter));
        }
        return services;
    }

    private static MaintenanceCoordinator CreateCoordinator(IServiceProvider sp, MaintenanceBuilder builder)
    {
        var configuration = sp.GetService<IConfiguration>()?.GetSection(MaintenanceOptions.SectionName);
        var options = new MaintenanceOptions();
        MaintenanceConfigurationBinder.Bind(configuration, options);
        foreach (var action in builder.ConfigureActions)
        {
            action(options);
        }
        options.Validate();

        var system = sp.GetRequiredService<ActorSystem>();
        var coordinator = new MaintenanceCoordinator(system, options, builder.Filter);
        if (builder.UsesEtcd)
        {
            var etcd = new EtcdSourceOptions();
            MaintenanceConfigurationBinder.Bind(configuration?.GetSection(EtcdSourceOptions.SectionName), etcd);
            builder.Etcd?.Invoke(etcd);
            etcd.Validate();
            var client = EtcdClientFactory.Create(etcd, sp.GetService<ILoggerFactory>()?.CreateLogger<EtcdClientBackend>());
            coordinator.UseEtcd(etcd, client, ownsClient: true);
        }
        foreach (var source in builder.Sources)
        {
            var (name, props) = source.Build(sp);
            coordinator.AddSource(name, props);
        }
        foreach (var resource in builder.Resources)
        {
            coordinator.RegisterResource(resource.Registration);
        }
        return coordinator;
    }
}
