using System.Threading.Channels;
using MaintenanceActors.Etcd;

namespace MaintenanceActors.Tests.Etcd;

/// <summary>Reads a backend's watch in the background, so a spec can wait for each batch, or for the watch to fail or end.</summary>
internal sealed class WatchReader : IAsyncDisposable
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly Channel<EtcdWatchBatch> _batches = Channel.CreateUnbounded<EtcdWatchBatch>();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _pump;

    public WatchReader(IEtcdWatchBackend backend, string key, long fromRevision, bool prefix = false, bool progressNotify = false)
    {
        _pump = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in backend.WatchAsync(key, prefix, fromRevision, progressNotify, _stop.Token))
                {
                    _batches.Writer.TryWrite(batch);
                }
                _batches.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                _batches.Writer.TryComplete(ex);
            }
        });
    }

    /// <summary>The next batch; throws what ended the watch (or <see cref="ChannelClosedException"/> when it ended without an error).</summary>
    public async Task<EtcdWatchBatch> NextAsync() => await _batches.Reader.ReadAsync().AsTask().WaitAsync(Wait);

    /// <summary>The next batch that carries changes, skipping progress notifications.</summary>
    public async Task<EtcdWatchBatch> NextChangesAsync()
    {
        while (true)
        {
            var batch = await NextAsync();
            if (batch.Changes.Count > 0)
            {
                return batch;
            }
        }
    }

    /// <summary>Waits until the watch ends; returns the error it ended with, or null when it ended without one.</summary>
    public async Task<Exception?> EndAsync()
    {
        try
        {
            while (true)
            {
                await NextAsync();
            }
        }
        catch (ChannelClosedException closed)
        {
            return closed.InnerException;
        }
        catch (TimeoutException)
        {
            throw;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _stop.Cancel();
        await _pump.WaitAsync(Wait);
        _stop.Dispose();
    }
}
