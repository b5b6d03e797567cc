using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;

namespace MaintenanceActors.Cli.Tests.Support;

/// <summary>
/// Watches a service's keys and, on every watch event, counts the instances that are not available (status not serving, or in
/// maintenance) and the roll slots held; keeps the maximum of each and the instances seen drained.
/// </summary>
internal sealed class UnavailabilitySampler : IAsyncDisposable
{
    private readonly FleetEtcd _etcd;
    private readonly FleetMirror _mirror;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly HashSet<string> _drained = new();
    private int _maxUnavailable;
    private int _maxSlots;
    private int _samples;

    private UnavailabilitySampler(FleetEtcd etcd, FleetMirror mirror)
    {
        _etcd = etcd;
        _mirror = mirror;
        _loop = RunAsync();
    }

    public static async Task<UnavailabilitySampler> StartAsync(string endpoint, string service)
    {
        var etcd = FleetEtcd.Connect(Etcd.EtcdSettings.From(_ => null, endpoint, null, null, null, null, null, "10s"));
        return new UnavailabilitySampler(etcd, await FleetMirror.StartAsync(etcd, service, CancellationToken.None));
    }

    public int MaxUnavailable => Volatile.Read(ref _maxUnavailable);

    public int MaxSlots => Volatile.Read(ref _maxSlots);

    public int Samples => Volatile.Read(ref _samples);

    public IReadOnlyCollection<string> Drained
    {
        get
        {
            lock (_drained) return _drained.ToArray();
        }
    }

    private async Task RunAsync()
    {
        // Our own copy, advanced one change at a time: every state the watch went through is sampled, none skipped.
        var state = _mirror.Read(s => s.Clone());
        var service = _mirror.View().Service;
        var initial = state.Revision;
        try
        {
            await foreach (var change in _mirror.Changes.ReadAllAsync(_stop.Token))
            {
                if (change.Revision <= initial)
                {
                    continue;
                }
                state.Apply(change.Key, change);
                var view = state.View(service);
                Interlocked.Increment(ref _samples);
                Max(ref _maxUnavailable, view.Unavailable);
                Max(ref _maxSlots, view.SlotsHeld);
                lock (_drained)
                {
                    foreach (var i in view.Instances.Where(i => i.Status?.IsDrainOver == true))
                    {
                        _drained.Add(i.Id);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static void Max(ref int field, int value)
    {
        int seen;
        while ((seen = Volatile.Read(ref field)) < value && Interlocked.CompareExchange(ref field, value, seen) != seen)
        {
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        await _mirror.DisposeAsync();
        _etcd.Dispose();
        _stop.Dispose();
    }
}
