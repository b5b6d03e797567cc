using Akka.Actor;
using Akka.Configuration;
using MaintenanceActors.Testing;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Fleet.Tests.Support;

/// <summary>One fleet instance in the test process: its own actor system (one coordinator per system), a coordinator with a fleet id, one resource.</summary>
public sealed class FleetNode : IAsyncDisposable
{
    private FleetNode(ActorSystem system, MaintenanceCoordinator coordinator, WorkGate work, string instanceId)
    {
        System = system;
        Coordinator = coordinator;
        Work = work;
        InstanceId = instanceId;
    }

    public ActorSystem System { get; }
    public MaintenanceCoordinator Coordinator { get; }
    public WorkGate Work { get; }
    public string InstanceId { get; }

    /// <summary>Starts a node watching <c>/maintenance/&lt;service&gt;</c> and its instance key through <paramref name="endpoint"/> (default: etcd itself).</summary>
    public static FleetNode Start(EtcdServer etcd, string service, string instanceId, string? endpoint = null, Action<FleetOptions>? fleet = null,
        ILoggerFactory? logs = null, TimeSpan? drainTimeout = null)
    {
        var system = ActorSystem.Create("fleet-" + instanceId.Replace('.', '-'), MaintenanceTestKit.BaseConfig.WithFallback(ConfigurationFactory.Default()));
        if (logs is not null)
        {
            MaintenanceRuntime.For(system).UseLoggerFactory(logs);
        }
        endpoint ??= etcd.Endpoint;
        var options = new EtcdSourceOptions
        {
            Endpoints = { endpoint },
            Key = FleetKeys.ServiceKey(service),
            ReconnectMinBackoff = TimeSpan.FromMilliseconds(50),
            ReconnectMaxBackoff = TimeSpan.FromMilliseconds(500),
        };
        var fleetOptions = new FleetOptions { Service = service, InstanceId = instanceId, Version = "1.4.2", Host = "test-host" };
        fleet?.Invoke(fleetOptions);
        var coordinator = new MaintenanceCoordinator(system);
        coordinator.UseEtcd(options, etcd.CreateClient(o => o.Endpoints = [endpoint]), ownsClient: true);
        coordinator.UseFleet(fleetOptions);
        var work = new WorkGate();
        coordinator.RegisterResource(WorkResource.Registration("work", work, drainTimeout));
        coordinator.Start();
        return new FleetNode(system, coordinator, work, instanceId);
    }

    public async ValueTask DisposeAsync()
    {
        await Coordinator.DisposeAsync();
        await System.Terminate();
    }
}
