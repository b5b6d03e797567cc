using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Failover;

/// <summary>The key of the failover registry actor in Akka.Hosting's <see cref="ActorRegistry"/> (<c>IRequiredActor&lt;FailoverRegistry&gt;</c>).</summary>
public sealed class FailoverRegistry
{
    private FailoverRegistry()
    {
    }
}

/// <summary>Registers client failover: <c>services.AddFailover(f => f.AddStaticEndpoints(...))</c>, then inject <see cref="IFailoverClient"/>.</summary>
public static class FailoverServiceCollectionExtensions
{
    /// <summary>The actor system name used when the application has registered none.</summary>
    public const string ActorSystemName = "failover";

    /// <summary>Registers the registry, its providers and <see cref="IFailoverClient"/>; adds an actor system when the application runs none.</summary>
    /// <remarks>
    /// An application that runs Akka.NET (or calls <c>AddMaintenance</c>) calls that first: the registry then starts in
    /// the same actor system, when the host starts (or add <c>akka.WithFailover()</c> to the <c>AddAkka</c> configuration
    /// to start it with the system and register it in the <see cref="ActorRegistry"/>).
    /// </remarks>
    public static IServiceCollection AddFailover(this IServiceCollection services, Action<FailoverBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(FailoverRuntime)))
        {
            throw new InvalidOperationException("AddFailover was called twice; configure everything in one call.");
        }
        var builder = new FailoverBuilder(services);
        configure(builder);
        services.AddSingleton(sp => new FailoverRuntime(sp, builder));
        services.AddSingleton<IFailoverClient>(sp => sp.GetRequiredService<FailoverRuntime>().Client);
        if (!services.Any(d => d.ServiceType == typeof(AkkaConfigurationBuilder)))
        {
            services.AddAkka(ActorSystemName, akka => akka
                .ConfigureLoggers(loggers =>
                {
                    loggers.ClearLoggers();
                    loggers.AddLoggerFactory();
                })
                .WithFailover());
        }
        services.AddHostedService<FailoverHostedService>();
        return services;
    }

    /// <summary>Starts the failover registry registered by <c>services.AddFailover(...)</c> in this actor system and registers it under <see cref="FailoverRegistry"/>.</summary>
    public static AkkaConfigurationBuilder WithFailover(this AkkaConfigurationBuilder builder) =>
        builder.WithActors((system, registry, resolver) =>
        {
            var runtime = resolver.GetService<FailoverRuntime>()
                ?? throw new InvalidOperationException("WithFailover() needs services.AddFailover(f => ...) to register the failover runtime.");
            registry.Register<FailoverRegistry>(runtime.Start(system).Registry);
        });

    /// <summary>Starts the runtime in the application's actor system if <c>WithFailover()</c> did not, and waits for the static endpoints.</summary>
    private sealed class FailoverHostedService(FailoverRuntime runtime, IServiceProvider services) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            if (!runtime.IsStarted)
            {
                var system = services.GetRequiredService<ActorSystem>();
                ActorRegistry.For(system).TryRegister<FailoverRegistry>(runtime.Start(system).Registry);
            }
            await runtime.Ready.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
