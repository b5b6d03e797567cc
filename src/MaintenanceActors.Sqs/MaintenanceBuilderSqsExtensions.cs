using Amazon.SQS;
using MaintenanceActors.Sqs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace MaintenanceActors;

/// <summary>Adds an SQS poller to <c>services.AddMaintenance(m => ...)</c>.</summary>
public static class MaintenanceBuilderSqsExtensions
{
    /// <summary>
    /// Polls the queue in <see cref="SqsPollerOptions.QueueUrl"/> and hands each message to <typeparamref name="TProcessor"/>
    /// (registered as a singleton if not yet registered); drains it in maintenance without stranding a message. The client
    /// is the registered <see cref="IAmazonSQS"/>, or <paramref name="client"/> when given.
    /// </summary>
    public static MaintenanceBuilder AddSqsPoller<TProcessor>(this MaintenanceBuilder maintenance, Action<SqsPollerOptions> configure,
        Func<IServiceProvider, IAmazonSQS>? client = null)
        where TProcessor : class, ISqsMessageProcessor
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        ArgumentNullException.ThrowIfNull(configure);

        // Validated now so a bad value fails at registration, naming the field, not at the first receive.
        var options = new SqsPollerOptions();
        configure(options);
        options.Validate();

        maintenance.Services.TryAddSingleton<TProcessor>();
        var monitor = MonitorOf(maintenance.Services);
        var state = new SqsPollerState(TimeProvider.System);
        monitor.Add(options.ResourceName, state);
        var binding = new SqsPollerBinding(state,
            client ?? (sp => sp.GetService<IAmazonSQS>()
                ?? throw new InvalidOperationException($"AddSqsPoller for {options.QueueUrl} needs an IAmazonSQS: register one (e.g. services.AddSingleton<IAmazonSQS>(new AmazonSQSClient())) or pass the client argument")),
            sp => sp.GetRequiredService<TProcessor>());
        return maintenance.AddResource<SqsPollerActor>(options.ResourceName, r => r.DrainTimeout = options.DrainTimeout, options, binding);
    }

    // One monitor for all pollers, created with the first registration so each poller's state can be added to it now.
    private static SqsPollerMonitor MonitorOf(IServiceCollection services)
    {
        if (services.FirstOrDefault(d => d.ServiceType == typeof(SqsPollerMonitor))?.ImplementationInstance is SqsPollerMonitor existing)
        {
            return existing;
        }
        var monitor = new SqsPollerMonitor();
        services.AddSingleton(monitor);
        return monitor;
    }
}

/// <summary>Where an SQS poller gets its client and processor from the service provider.</summary>
public sealed class SqsPollerBinding
{
    internal SqsPollerBinding(SqsPollerState state, Func<IServiceProvider, IAmazonSQS> client, Func<IServiceProvider, ISqsMessageProcessor> processor)
    {
        State = state;
        Client = client;
        Processor = processor;
    }

    internal SqsPollerState State { get; }
    internal Func<IServiceProvider, IAmazonSQS> Client { get; }
    internal Func<IServiceProvider, ISqsMessageProcessor> Processor { get; }
}
