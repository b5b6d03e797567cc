using MaintenanceActors.Kafka;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MaintenanceActors;

/// <summary>Adds a Kafka consumer to <c>services.AddMaintenance(m => ...)</c>.</summary>
public static class MaintenanceBuilderKafkaExtensions
{
    /// <summary>
    /// Consumes <see cref="KafkaConsumerOptions.Topics"/> in <see cref="KafkaConsumerOptions.GroupId"/> and hands each record
    /// to <typeparamref name="TProcessor"/> (registered as a singleton if not yet registered); in maintenance it pauses its
    /// partitions without leaving the group, finishes what it started and commits exactly what it processed.
    /// </summary>
    public static MaintenanceBuilder AddKafkaConsumer<TProcessor>(this MaintenanceBuilder maintenance, Action<KafkaConsumerOptions> configure)
        where TProcessor : class, IKafkaRecordProcessor
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        ArgumentNullException.ThrowIfNull(configure);

        // Validated now so a bad value fails at registration, naming the field, not when the consumer starts.
        var options = new KafkaConsumerOptions();
        configure(options);
        options.Validate();

        maintenance.Services.TryAddSingleton<TProcessor>();
        var monitor = MonitorOf(maintenance.Services);
        var state = new KafkaConsumerState(TimeProvider.System);
        monitor.Add(options.ResourceName, state);
        var binding = new KafkaConsumerBinding(state, sp => sp.GetRequiredService<TProcessor>());
        return maintenance.AddResource<KafkaConsumerActor>(options.ResourceName, r => r.DrainTimeout = options.DrainTimeout, options, binding);
    }

    // One monitor for all consumers, created with the first registration so each consumer's state can be added to it now.
    private static KafkaConsumerMonitor MonitorOf(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(KafkaConsumerMonitor))?.ImplementationInstance is KafkaConsumerMonitor existing)
        {
            return existing;
        }
        var monitor = new KafkaConsumerMonitor();
        services.AddSingleton(monitor);
        return monitor;
    }
}

/// <summary>Where a Kafka consumer gets its processor from the service provider.</summary>
public sealed class KafkaConsumerBinding
{
    internal KafkaConsumerBinding(KafkaConsumerState state, Func<IServiceProvider, IKafkaRecordProcessor> processor)
    {
        State = state;
        Processor = processor;
    }

    internal KafkaConsumerState State { get; }
    internal Func<IServiceProvider, IKafkaRecordProcessor> Processor { get; }
}
