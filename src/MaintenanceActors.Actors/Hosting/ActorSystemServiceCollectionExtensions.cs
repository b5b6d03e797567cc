using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaintenanceActors.Actors.Hosting;

/// <summary>Registers an actor system that starts and stops with the host.</summary>
public static class ActorSystemServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ActorSystem"/> and <see cref="ActorRegistry"/> singletons, <see cref="IRequiredActor{TKey}"/>,
    /// and a hosted service that runs the WithActors starters on start and terminates the system on stop. A host has one
    /// actor system: calling this again adds the new configuration to it, and the first name is kept.
    /// </summary>
    public static IServiceCollection AddActorSystem(this IServiceCollection services, string name, Action<ActorSystemBuilder>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("The actor system name must not be empty; e.g. \"maintenance\".", nameof(name));
        }

        // A library (e.g. AddMaintenance) and the application may both call this; replacing the first call's builder would
        // silently drop its starters.
        if (services.FirstOrDefault(d => d.ServiceType == typeof(ActorSystemBuilder))?.ImplementationInstance is ActorSystemBuilder existing)
        {
            configure?.Invoke(existing);
            return services;
        }

        var builder = new ActorSystemBuilder();
        configure?.Invoke(builder);

        services.AddSingleton(builder);
        services.TryAddSingleton<ActorRegistry>();
        services.AddSingleton(sp =>
        {
            var options = new ActorSystemOptions
            {
                LoggerFactory = sp.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance,
                TimeProvider = sp.GetService<TimeProvider>() ?? TimeProvider.System,
                Services = sp,
            };
            foreach (var action in builder.OptionActions)
            {
                action(options);
            }

            return ActorSystem.Create(name, options);
        });
        services.TryAdd(ServiceDescriptor.Singleton(typeof(IRequiredActor<>), typeof(RequiredActor<>)));
        services.AddHostedService<ActorSystemHostedService>();
        return services;
    }
}
