using System.Threading.Channels;
using MaintenanceActors.Cli.Etcd;

namespace MaintenanceActors.Cli.Fleet;

/// <summary>
/// A live copy of one service's fleet keys: read once, then kept current by ONE etcd watch of <see cref="FleetKeys.Root"/> from the
/// read's revision + 1 (re-read after a compaction). Waiters re-check their condition on every change; <see cref="Changes"/> carries
/// every change for the watch command.
/// </summary>
internal sealed class FleetMirror : IAsyncDisposable
{
    private readonly FleetEtcd _etcd;
    private readonly string _service;
    private readonly FleetState _state = new();
    private readonly object _gate = new();
    private readonly CancellationTokenSource _stop;
    private readonly Channel<FleetChange> _changes = Channel.CreateUnbounded<FleetChange>(new UnboundedChannelOptions { SingleReader = true });
    private TaskCompletionSource _changed = NewSignal();
    private Task _loop = Task.CompletedTask;
    private Exception? _failure;

    private FleetMirror(FleetEtcd etcd, string service, CancellationToken ct)
    {
        _etcd = etcd;
        _service = service;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
    }

    public static async Task<FleetMirror> StartAsync(FleetEtcd etcd, string service, CancellationToken ct)
    {
        var mirror = new FleetMirror(etcd, service, ct);
        var read = await mirror.ReadAsync(ct).ConfigureAwait(false);
        mirror._state.Load(read);
        mirror._loop = mirror.RunAsync(read.Revision + 1);
        return mirror;
    }

    /// <summary>Every change to this service's keys, in revision order.</summary>
    public ChannelReader<FleetChange> Changes => _changes.Reader;

    /// <summary>Reads the state under the mirror's lock.</summary>
    public T Read<T>(Func<FleetState, T> read)
    {
        lock (_gate)
        {
            ThrowIfFailed();
            return read(_state);
        }
    }

    public ServiceView View() => Read(s => s.View(_service));

    /// <summary>Waits until <paramref name="probe"/> returns non-null on the current state (checked now and after every change).</summary>
    public async Task<T> WaitAsync<T>(Func<FleetState, T?> probe, TimeSpan timeout, string what, CancellationToken ct) where T : class
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timer.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                ThrowIfFailed();
                if (probe(_state) is { } result)
                {
                    return result;
                }
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                throw new TimeoutException($"{what} did not happen within {Output.Durations.Format(timeout)}");
            }
        }
    }

    /// <summary>A task that completes at the next change after this call (for the roll's wait on a full budget).</summary>
    public Task NextChange()
    {
        lock (_gate)
        {
            ThrowIfFailed();
            return _changed.Task;
        }
    }

    private Task<RangeResult> ReadAsync(CancellationToken ct) =>
        _etcd.GetPrefixesAsync([FleetKeys.Service(_service), FleetKeys.StatusOf(_service), FleetKeys.SlotsOf(_service)], ct);

    private async Task RunAsync(long from)
    {
        var ct = _stop.Token;
        try
        {
            while (true)
            {
                long compactedAt = 0;
                await foreach (var batch in _etcd.WatchAsync(FleetKeys.Root, from, ct).ConfigureAwait(false))
                {
                    if (batch.CompactRevision > 0)
                    {
                        compactedAt = batch.CompactRevision;
                        break;
                    }
                    Apply(batch);
                    from = Math.Max(from, batch.HeaderRevision + 1);
                }
                if (compactedAt > 0)
                {
                    // Missed history: read the state again and go on from there.
                    var read = await ReadAsync(ct).ConfigureAwait(false);
                    lock (_gate)
                    {
                        _state.Load(read);
                    }
                    Signal();
                    from = read.Revision + 1;
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _failure = ex;
            }
            _changes.Writer.TryComplete(ex);
            Signal();
        }
    }

    private void Apply(MaintenanceActors.Etcd.EtcdWatchBatch batch)
    {
        var changes = new List<FleetChange>();
        lock (_gate)
        {
            foreach (var change in batch.Changes)
            {
                if (FleetKeys.Classify(change.Key) is not { } what || what.Service != _service)
                {
                    continue;
                }
                if (change.Value is null)
                {
                    _state.Delete(change.Key, change.ModRevision);
                    changes.Add(new FleetChange(change.ModRevision, what, null, change.Key));
                }
                else
                {
                    var value = System.Text.Encoding.UTF8.GetString(change.Value);
                    _state.Put(new KeyValue(change.Key, value, change.ModRevision, 0, 0, 0));
                    changes.Add(new FleetChange(change.ModRevision, what, value, change.Key));
                }
            }
            _state.AdvanceTo(batch.Changes.Count > 0 ? batch.Changes.Max(c => c.ModRevision) : 0);
        }
        foreach (var change in changes)
        {
            _changes.Writer.TryWrite(change);
        }
        if (changes.Count > 0)
        {
            Signal();
        }
    }

    private void Signal()
    {
        TaskCompletionSource previous;
        lock (_gate)
        {
            previous = _changed;
            _changed = NewSignal();
        }
        previous.TrySetResult();
    }

    private void ThrowIfFailed()
    {
        if (_failure is not null)
        {
            throw _failure is EtcdUnavailableException e ? new EtcdUnavailableException(e.Message, e) : new EtcdUnavailableException($"the etcd watch failed: {_failure.Message}", _failure);
        }
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // Already recorded as the mirror's failure.
        }
        _changes.Writer.TryComplete();
        _stop.Dispose();
    }
}
