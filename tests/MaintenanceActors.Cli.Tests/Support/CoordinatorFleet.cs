using Akka.Actor;
using Akka.Configuration;
using MaintenanceActors.Fleet;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Cli.Tests.Support;

/// <summary>
/// Real fleet instances in the test process: per instance its own actor system and <see cref="MaintenanceCoordinator"/> on the fleet
/// contract (watching the service-wide and its own key, publishing its status on a lease), with one resource whose drain takes a set
/// time. What maintctl rolls in these specs and in the fleet-roll drill is the library itself.
/// </summary>
public sealed class CoordinatorFleet : IAsyncDisposable
{
    private readonly List<(ActorSystem System, MaintenanceCoordinator Coordinator)> _nodes = new();

    private CoordinatorFleet(string service) => Service = service;

    public string Service { get; }

    public IReadOnlyList<string> Instances => _nodes.Select(n => n.Coordinator.Fleet!.InstanceId).ToArray();

    public static async Task<CoordinatorFleet> StartAsync(EtcdServer etcd, string service, int count, TimeSpan drain, TimeSpan? drainTimeout = null)
    {
        var fleet = new CoordinatorFleet(service);
        for (var i = 1; i <= count; i++)
        {
            var id = $"{service}-{i}";
            var system = ActorSystem.Create("fleet-" + id.Replace('.', '-'), MaintenanceTestKit.BaseConfig.WithFallback(ConfigurationFactory.Default()));
            var coordinator = new MaintenanceCoordinator(system);
            coordinator.UseEtcd(new EtcdSourceOptions { Endpoints = { etcd.Endpoint }, Key = FleetKeys.ServiceKey(service) }, etcd.CreateClient(), ownsClient: true);
            coordinator.UseFleet(new FleetOptions { Service = service, InstanceId = id, Version = "1.4.2", Host = $"host-{i}" });
            coordinator.RegisterResource(new ResourceRegistration("work", () => Props.Create(() => new TimedDrainResource(drain)),
                new ResourceOptions { DrainTimeout = drainTimeout }));
            coordinator.Start();
            fleet._nodes.Add((system, coordinator));
        }
        // Ready once every instance has published "serving".
        using var reader = etcd.CreateClient();
        var ready = await Eventually.HoldsAsync(async () =>
        {
            var statuses = await reader.GetRangeAsync(FleetKeys.StatusPrefix(service));
            return statuses.Kvs.Count == count && statuses.Kvs.All(kv => kv.Value.ToStringUtf8().Contains("\"phase\":\"serving\"", StringComparison.Ordinal));
        }, TimeSpan.FromSeconds(30));
        if (!ready)
        {
            await fleet.DisposeAsync();
            throw new InvalidOperationException($"the {count} instances of {service} did not all publish 'serving' within 30 s");
        }
        return fleet;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var (system, coordinator) in _nodes)
        {
            await coordinator.DisposeAsync();
            await system.Terminate();
        }
    }
}

/// <summary>A resource whose drain takes a set time on the real clock, as if its last request needed that long.</summary>
public sealed class TimedDrainResource(TimeSpan drain) : DrainableResourceActor
{
    protected override long InFlight => 0;

    protected override void StopIntake()
    {
    }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => Task.Delay(drain, cancellationToken);

    protected override void ResumeIntake()
    {
    }
}
