using System.Threading.Channels;
using Akka.Actor;
using MaintenanceActors.Etcd;

namespace MaintenanceActors.Tests.Etcd;

/// <summary>
/// One etcd watcher in its own actor system, run through the coordinator's public surface (no test kit): what it publishes and
/// its source health arrive on channels a spec waits on.
/// </summary>
internal sealed class WatcherHarness : IAsyncDisposable
{
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private readonly ActorSystem _system;
    private readonly MaintenanceCoordinator _coordinator;
    private readonly IDisposable _subscription;
    private readonly Channel<MaintenanceStateChanged> _states = Channel.CreateUnbounded<MaintenanceStateChanged>();
    private readonly Channel<SourceHealth> _health = Channel.CreateUnbounded<SourceHealth>();

    public WatcherHarness(EtcdSourceOptions options, IEtcdWatchBackend backend)
    {
        _system = ActorSystem.Create($"watcher-{Guid.NewGuid():N}");
        _coordinator = new MaintenanceCoordinator(_system);
        _coordinator.UseEtcd(options, backend);
        _subscription = _coordinator.Subscribe(MaintenanceEventFilter.All, e =>
        {
            if (e is MaintenanceStateChanged state) _states.Writer.TryWrite(state);
            if (e is SourceHealthChanged health) _health.Writer.TryWrite(health.Health);
        });
        _coordinator.Start();
    }

    /// <summary>Every source-health change seen so far and from now on, in order.</summary>
    public List<SourceHealth> HealthSeen { get; } = new();

    /// <summary>The next published state.</summary>
    public async Task<MaintenanceStateChanged> NextStateAsync() => await _states.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    /// <summary>Published states until one at <paramref name="revision"/> or later arrives (that one included).</summary>
    public async Task<List<MaintenanceStateChanged>> StatesThroughAsync(long revision)
    {
        var states = new List<MaintenanceStateChanged>();
        do
        {
            states.Add(await NextStateAsync());
        }
        while (states[^1].Revision < revision);
        return states;
    }

    /// <summary>Waits for a health change that satisfies <paramref name="predicate"/>.</summary>
    public async Task<SourceHealth> HealthWhereAsync(Func<SourceHealth, bool> predicate)
    {
        while (true)
        {
            var health = await _health.Reader.ReadAsync().AsTask().WaitAsync(Wait);
            HealthSeen.Add(health);
            if (predicate(health)) return health;
        }
    }

    /// <summary>Health changes that arrived so far without waiting (adds them to <see cref="HealthSeen"/>).</summary>
    public IReadOnlyList<SourceHealth> DrainHealth()
    {
        while (_health.Reader.TryRead(out var health)) HealthSeen.Add(health);
        return HealthSeen;
    }

    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await _coordinator.DisposeAsync();
        await _system.Terminate();
    }
}
