using Akka.Actor;
using Akka.Hosting;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Registers maintenance mode: <c>services.AddMaintenance(m => m.UseEtcd().AddResource&lt;MyDrainActor&gt;("api"))</c>.</summary>
public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>The actor system name used when the application has not registered one.</summary>
    public const string ActorSystemName = "maintenance";

    /// <summary>Registers the coordinator, <see cref="IMaintenance"/>, health checks ("ready" and "live") and, when the application runs no Akka.NET yet, an actor system.</summary>
    /// <remarks>
    /// Options come from the <c>Maintenance</c> configuration section and are validated when the host starts.
    /// An application that already runs Akka.NET calls <c>services.AddAkka(...)</c> first and adds
    /// <c>akka.WithMaintenance()</c> to it: the coordinator then lives in the application's own actor system.
    /// </remarks>
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
        services.AddSingleton(sp => new MaintenanceShutdown(sp.GetRequiredService<MaintenanceCoordinator>(), sp.GetRequiredService<ActorSystem>()));
        services.AddSingleton<IMaintenance>(sp => sp.GetRequiredService<MaintenanceCoordinator>());
        services.AddHealthChecks()
            .AddCheck<MaintenanceReadinessCheck>("maintenance", tags: new[] { "ready" })
            .AddCheck<MaintenanceLivenessCheck>("maintenance-coordinator", tags: new[] { "live" });

        if (!services.Any(d => d.ServiceType == typeof(AkkaConfigurationBuilder)))
        {
            services.AddAkka(ActorSystemName, akka => akka
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithMaintenance());
        }
        // Starts after Akka.Hosting's own hosted service started the system and its actors; drains when the host
        // begins to stop, before any hosted service (the web server included) stops.
        services.AddHostedService<MaintenanceHostedService>();
        return services;
    }

    /// <summary>
    /// Starts the coordinator registered by <c>services.AddMaintenance(...)</c> in this actor system, registers its
    /// <see cref="MaintenanceSupervisor"/> in the <see cref="ActorRegistry"/> (inject <c>IRequiredActor&lt;MaintenanceSupervisor&gt;</c>),
    /// and drains like maintenance when the system shuts down (CoordinatedShutdown's <c>before-service-unbind</c> phase).
    /// </summary>
    public static AkkaConfigurationBuilder WithMaintenance(this AkkaConfigurationBuilder builder)
    {
        builder.AddHocon(MaintenanceShutdown.PhaseConfig(MaintenanceShutdown.DefaultPhaseTimeout), HoconAddMode.Append);
        return builder.WithActors((system, registry, resolver) =>
        {
            var coordinator = resolver.GetService<MaintenanceCoordinator>()
                ?? throw new InvalidOperationException("WithMaintenance() needs services.AddMaintenance(m => ...) to register the coordinator.");
            coordinator.Start();
            registry.Register<MaintenanceSupervisor>(coordinator.Supervisor);
            (resolver.GetService<MaintenanceShutdown>() ?? new MaintenanceShutdown(coordinator, system)).Register();
        });
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
        if (sp.GetService<ILoggerFactory>() is { } loggerFactory)
        {
            MaintenanceRuntime.For(system).UseLoggerFactory(loggerFactory);
        }
        var coordinator = new MaintenanceCoordinator(system, options, builder.Filter);
        FleetOptions? fleet = null;
        var fleetSection = configuration?.GetSection(FleetOptions.SectionName);
        if (builder.UsesFleet || !string.IsNullOrEmpty(fleetSection?["Service"]))
        {
            fleet = new FleetOptions();
            MaintenanceConfigurationBinder.Bind(fleetSection, fleet);
            builder.Fleet?.Invoke(fleet);
            coordinator.UseFleet(fleet);
        }
        if (builder.UsesEtcd)
        {
            var etcd = new EtcdSourceOptions();
            MaintenanceConfigurationBinder.Bind(configuration?.GetSection(EtcdSourceOptions.SectionName), etcd);
            builder.Etcd?.Invoke(etcd);
            if (fleet is not null && string.IsNullOrWhiteSpace(etcd.Key))
            {
                etcd.Key = Fleet.FleetKeys.ServiceKey(fleet.Service!);
            }
            etcd.Validate();
            var client = EtcdClientFactory.Create(etcd, sp.GetService<ILoggerFactory>()?.CreateLogger<EtcdClientBackend>());
            coordinator.UseEtcd(etcd, client, ownsClient: true);
        }
        foreach (var source in builder.Sources)
        {
            var (name, props) = source.Build(sp, system);
            coordinator.AddSource(name, props);
        }
        foreach (var resource in builder.Resources)
        {
            coordinator.RegisterResource(resource.Registration(system));
        }
        return coordinator;
    }

    /// <summary>
    /// Fails the start, with what to add, when the coordinator was registered but no actor system started it; drains
    /// when the host begins to stop.
    /// </summary>
    /// <remarks>
    /// The drain runs in <see cref="StoppingAsync"/>, which the host calls before it stops any hosted service. A
    /// <c>WebApplication</c> stops its web server first and Akka.Hosting's service (whose CoordinatedShutdown also drains)
    /// after it, so a drain left to CoordinatedShutdown would start only after the server had stopped listening and
    /// waited for its requests: clients would meet refused connections instead of the maintenance refusal.
    /// </remarks>
    private sealed class MaintenanceHostedService(MaintenanceCoordinator coordinator, MaintenanceShutdown shutdown) : IHostedLifecycleService
    {
        public Task StartAsync(CancellationToken cancellationToken) => coordinator.IsStarted
            ? Task.CompletedTask
            : throw new InvalidOperationException(
                "The maintenance coordinator was registered with AddMaintenance but no actor system started it: the application " +
                "registers its own Akka.NET system, so add .WithMaintenance() to its services.AddAkka(...) configuration.");

        public Task StoppingAsync(CancellationToken cancellationToken) => shutdown.DrainForHostStopAsync(cancellationToken);

        // After the drain, before Akka.Hosting's service stops the actor system: the status leaves etcd at once.
        public Task StopAsync(CancellationToken cancellationToken) => coordinator.RevokeStatusAsync(cancellationToken);

        public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
