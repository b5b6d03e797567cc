using System.Text.Json;
using MaintenanceActors.Cli.Etcd;
using MaintenanceActors.Cli.Fleet;

namespace MaintenanceActors.Cli.Tests.Support;

/// <summary>
/// Instances that follow the fleet contract without a coordinator: each watches its service-wide and instance keys (one shared
/// watch), and publishes its status on a lease: draining when a key turns maintenance on, drained after <c>drain</c>, serving again
/// when both keys are off. Used where a spec needs instances whose behaviour it controls exactly.
/// </summary>
internal sealed class SimulatedFleet : IAsyncDisposable
{
    private readonly FleetEtcd _etcd;
    private readonly string _service;
    private readonly TimeSpan _drain;
    private readonly Dictionary<string, (bool On, long Epoch)> _state = new();
    private readonly CancellationTokenSource _stop = new();
    private FleetMirror _mirror = null!;
    private long _lease;
    private Task _loop = Task.CompletedTask;
    private Task _keepAlive = Task.CompletedTask;

    private SimulatedFleet(FleetEtcd etcd, string service, TimeSpan drain)
    {
        _etcd = etcd;
        _service = service;
        _drain = drain;
    }

    public IReadOnlyCollection<string> Instances => _state.Keys;

    public static async Task<SimulatedFleet> StartAsync(string endpoint, string service, int count, TimeSpan drain)
    {
        var etcd = FleetEtcd.Connect(Etcd.EtcdSettings.From(_ => null, endpoint, null, null, null, null, null, "10s"));
        var fleet = new SimulatedFleet(etcd, service, drain);
        fleet._lease = await etcd.GrantLeaseAsync(TimeSpan.FromSeconds(5), CancellationToken.None);
        fleet._keepAlive = etcd.KeepAliveAsync(fleet._lease, TimeSpan.FromSeconds(5), fleet._stop.Token);
        for (var i = 1; i <= count; i++)
        {
            var id = $"{service}-{i}";
            fleet._state[id] = (false, 0);
            await fleet.PublishAsync(id, "serving", false, 0);
        }
        fleet._mirror = await FleetMirror.StartAsync(etcd, service, CancellationToken.None);
        fleet._loop = fleet.RunAsync();
        return fleet;
    }

    private async Task RunAsync()
    {
        var ct = _stop.Token;
        try
        {
            while (!ct.IsCancellationRequested)
            {
                var changed = _mirror.NextChange();
                var view = _mirror.View();
                var now = DateTimeOffset.UtcNow;
                var serviceOn = view.ServiceKey?.IsOnAt(now) == true;
                foreach (var id in _state.Keys.ToArray())
                {
                    var key = view.Instances.FirstOrDefault(i => i.Id == id)?.Key;
                    var on = serviceOn || key?.IsOnAt(now) == true;
                    var (wasOn, epoch) = _state[id];
                    if (on == wasOn)
                    {
                        continue;
                    }
                    _state[id] = (on, ++epoch);
                    if (on)
                    {
                        await PublishAsync(id, "draining", true, epoch);
                        _ = FinishDrainAsync(id, epoch, ct);
                    }
                    else
                    {
                        await PublishAsync(id, "serving", false, epoch);
                    }
                }
                await changed.WaitAsync(ct);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task FinishDrainAsync(string id, long epoch, CancellationToken ct)
    {
        try
        {
            await Task.Delay(_drain, ct);
            if (_state[id] == (true, epoch))
            {
                await PublishAsync(id, "drained", true, epoch);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private Task PublishAsync(string id, string phase, bool inMaintenance, long epoch) =>
        _etcd.PutAsync(FleetKeys.Status(_service, id), JsonSerializer.Serialize(new
        {
            service = _service,
            instance = id,
            host = "sim",
            version = "1.0.0",
            epoch,
            phase,
            inMaintenance,
            inFlight = 0,
            drainDurationMs = phase == "drained" ? (long?)_drain.TotalMilliseconds : null,
            resources = new[] { new { name = "work", state = phase, outcome = phase == "drained" ? "drained" : null, inFlight = 0 } },
            updatedAt = DateTimeOffset.UtcNow,
        }), CancellationToken.None, _lease);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        try
        {
            await _keepAlive;
        }
        catch (Exception)
        {
        }
        await _mirror.DisposeAsync();
        try
        {
            await _etcd.RevokeLeaseAsync(_lease, CancellationToken.None);
        }
        catch (EtcdUnavailableException)
        {
        }
        _etcd.Dispose();
        _stop.Dispose();
    }
}
