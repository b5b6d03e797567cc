using System.Diagnostics;
using Akka.Actor;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Drills.Etcd;

/// <summary>
/// A real etcd with the maintenance coordinator watching one key, a raw watch on the same key as the
/// baseline, and a writer. Each part has its own client (own HTTP/2 connection), as in production.
/// </summary>
internal sealed class EtcdRig : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = new();
    private readonly EtcdTestWriter _writer;

    private EtcdRig(string key, EtcdTestWriter writer, ActorSystem system, MaintenanceCoordinator coordinator)
    {
        Key = key;
        _writer = writer;
        System = system;
        Coordinator = coordinator;
    }

    public string Key { get; }
    public ActorSystem System { get; }
    public MaintenanceCoordinator Coordinator { get; }

    /// <summary>When the raw watch read each revision.</summary>
    public Arrivals Raw { get; } = new();

    /// <summary>When a <see cref="MaintenanceStateChanged"/> for each revision reached an EventStream subscriber.</summary>
    public Arrivals Published { get; } = new();

    public static async Task<EtcdRig> StartAsync(IEnumerable<ResourceRegistration> resources, CancellationToken cancellationToken)
    {
        const string key = "/maintenance/drill";
        var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
        var writer = new EtcdTestWriter(etcd.CreateClient());
        var watcherClient = etcd.CreateClient();
        var rawClient = etcd.CreateClient();
        var system = DrillSystem.Create("drill");
        var coordinator = new MaintenanceCoordinator(system);
        var rig = new EtcdRig(key, writer, system, coordinator);
        // Disposed in reverse: the coordinator and actors first, etcd last.
        rig._owned.AddRange([etcd, writer, new OwnedDisposable(watcherClient), new OwnedDisposable(rawClient), system, coordinator]);
        try
        {
            var initial = await writer.PutAsync(key, "false", cancellationToken).ConfigureAwait(false);
            coordinator.UseEtcd(new EtcdSourceOptions { Endpoints = [etcd.Endpoint], Key = key }, watcherClient);
            foreach (var resource in resources)
            {
                coordinator.RegisterResource(resource);
            }
            EventTap.Start(system, "published-tap", (message, _) =>
            {
                if (message is MaintenanceStateChanged changed)
                {
                    rig.Published.Record(changed.Revision);
                }
            }, typeof(MaintenanceStateChanged));
            coordinator.Start();
            rig._owned.Add(await RawWatch.StartAsync(rawClient, key, rig.Raw, cancellationToken).ConfigureAwait(false));
            await rig.Published.WhenArrived(initial, "the EtcdWatcher's first read").ConfigureAwait(false);
            return rig;
        }
        catch
        {
            await rig.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Writes the key; returns the revision and the timestamp taken just before the write was sent.</summary>
    public Task<(long Revision, long SentAt)> PutAsync(bool enabled, CancellationToken cancellationToken) =>
        TimedPut.PutAsync(_writer, Key, enabled, cancellationToken);

    public async ValueTask DisposeAsync()
    {
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync().ConfigureAwait(false);
        }
    }
}
