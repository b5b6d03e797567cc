using MaintenanceActors.Drills.Core;
using MaintenanceActors.Etcd;

namespace MaintenanceActors.Drills.Etcd;

/// <summary>The baseline: the etcd client's bare watch stream, stamping each event's revision as it is read.</summary>
internal sealed class RawWatch : IAsyncDisposable
{
    private readonly EtcdWatch _watch;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _reader;

    private RawWatch(EtcdWatch watch, Arrivals arrivals)
    {
        _watch = watch;
        _reader = Task.Run(() => ReadAsync(arrivals));
    }

    public static async Task<RawWatch> StartAsync(EtcdClient client, string key, Arrivals arrivals, CancellationToken cancellationToken)
    {
        var watch = await client.WatchAsync(key, new EtcdWatchOptions(), cancellationToken).ConfigureAwait(false);
        return new RawWatch(watch, arrivals);
    }

    private async Task ReadAsync(Arrivals arrivals)
    {
        try
        {
            await foreach (var response in _watch.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                foreach (var change in response.Events)
                {
                    arrivals.Record(change.Kv.ModRevision);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Disposed: the drill is over.
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _reader.ConfigureAwait(false);
        await _watch.DisposeAsync().ConfigureAwait(false);
        _stop.Dispose();
    }
}
