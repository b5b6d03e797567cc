using Akka.Actor;
using MaintenanceActors.Etcd;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Providers;

/// <summary>
/// Follows every key under one etcd prefix without missing a change, the way the core's maintenance watcher does: read the
/// prefix, then watch from that read's revision + 1; after a lost connection watch again (exponential backoff with jitter)
/// from the last seen revision + 1; after a compaction read the prefix again and hand the subclass the whole current state.
/// </summary>
/// <remarks>Subclasses turn keys into registry messages in <see cref="OnSnapshot"/> and <see cref="OnChange"/>.</remarks>
internal abstract class EtcdPrefixWatchActor : ReceiveActor, IWithTimers
{
    private static readonly object ReconnectTimer = new();

    private readonly IEtcdWatchBackend _backend;
    private readonly string _prefix;
    private readonly TimeSpan _minBackoff;
    private readonly TimeSpan _maxBackoff;
    private int _generation;
    private int _attempt;
    private long _lastRevision;
    private bool _haveSnapshot;
    private bool _connected;
    private CancellationTokenSource? _connection;

    protected EtcdPrefixWatchActor(IEtcdWatchBackend backend, string prefix, TimeSpan minBackoff, TimeSpan maxBackoff)
    {
        _backend = backend;
        _prefix = prefix;
        _minBackoff = minBackoff;
        _maxBackoff = maxBackoff;
        Receive<ConnectNow>(_ => Connect());
        Receive<SnapshotRead>(OnSnapshotRead, m => m.Generation == _generation);
        Receive<BatchReceived>(OnBatch, m => m.Generation == _generation);
        Receive<ConnectionLost>(m => OnLost(m.Error), m => m.Generation == _generation);
        // Messages of a connection that was already replaced.
        Receive<SnapshotRead>(_ => { });
        Receive<BatchReceived>(_ => { });
        Receive<ConnectionLost>(_ => { });
        Receive<GetEtcdProviderStatus>(_ => Sender.Tell(new EtcdProviderStatus(_prefix, _connected, _lastRevision), Self));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>A logger named after the provider class.</summary>
    protected ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    /// <summary>The whole current state under the prefix (first read, or a re-read after a compaction): reconcile with it.</summary>
    protected abstract void OnSnapshot(IReadOnlyList<EtcdEntry> entries, long revision);

    /// <summary>One put (value set) or delete (value null) under the prefix, in revision order.</summary>
    protected abstract void OnChange(EtcdChange change);

    protected override void PreStart() => Self.Tell(ConnectNow.Instance, Self);

    protected override void PostStop() => _connection?.Cancel();

    private void Connect()
    {
        var generation = ++_generation;
        _connection?.Cancel();
        _connection = new CancellationTokenSource();
        if (!_haveSnapshot)
        {
            Read(generation);
            return;
        }
        Watch(generation, _lastRevision + 1, _connection.Token);
    }

    private void Read(int generation)
    {
        var self = Self;
        _backend.ReadAsync(_prefix, prefix: true, _connection!.Token).PipeTo(self, self,
            success: snapshot => new SnapshotRead(generation, snapshot),
            failure: ex => new ConnectionLost(generation, ex));
    }

    private void Watch(int generation, long fromRevision, CancellationToken token)
    {
        var self = Self;
        var backend = _backend;
        var prefix = _prefix;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in backend.WatchAsync(prefix, prefix: true, fromRevision, progressNotify: true, token).ConfigureAwait(false))
                {
                    self.Tell(new BatchReceived(generation, batch), self);
                    if (batch.CompactRevision > 0)
                    {
                        return;
                    }
                }
                self.Tell(new ConnectionLost(generation, new IOException("etcd closed the watch stream")), self);
            }
            catch (OperationCanceledException) when (token.IsCancellationRequested)
            {
                // replaced on purpose
            }
            catch (Exception ex)
            {
                self.Tell(new ConnectionLost(generation, ex), self);
            }
        }, CancellationToken.None);
    }

    private void OnSnapshotRead(SnapshotRead read)
    {
        _lastRevision = Math.Max(_lastRevision, read.Snapshot.Revision);
        _haveSnapshot = true;
        OnSnapshot(read.Snapshot.Entries, read.Snapshot.Revision);
        MarkConnected();
        Watch(read.Generation, _lastRevision + 1, _connection!.Token);
    }

    private void OnBatch(BatchReceived received)
    {
        var batch = received.Batch;
        if (batch.CompactRevision > 0)
        {
            Log.LogWarning("etcd compacted revision {CompactRevision} before the watch of {Prefix} could resume from {Revision}; reading the prefix again",
                batch.CompactRevision, _prefix, _lastRevision + 1);
            var generation = ++_generation;
            _connection?.Cancel();
            _connection = new CancellationTokenSource();
            Read(generation);
            return;
        }
        MarkConnected();
        // Several changes of one transaction share a revision: compare with where this batch started.
        var seenBefore = _lastRevision;
        foreach (var change in batch.Changes)
        {
            if (change.ModRevision > seenBefore)
            {
                OnChange(change);
            }
            _lastRevision = Math.Max(_lastRevision, change.ModRevision);
        }
        if (batch.Progress && batch.Changes.Count == 0)
        {
            _lastRevision = Math.Max(_lastRevision, batch.HeaderRevision);
        }
    }

    private void OnLost(Exception error)
    {
        _generation++;
        _connection?.Cancel();
        _connection = null;
        _connected = false;
        var exponent = Math.Min(_attempt++, 20);
        var baseMs = Math.Min(_maxBackoff.TotalMilliseconds, _minBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        var delay = TimeSpan.FromMilliseconds(Math.Max(1, baseMs * (0.8 + 0.4 * Random.Shared.NextDouble())));
        // A watch cancelled underneath is the etcd client being disposed as the host stops: not worth a warning.
        var disposed = error.InnerException is Grpc.Core.RpcException { StatusCode: Grpc.Core.StatusCode.Cancelled } or ObjectDisposedException;
        Log.Log(!disposed && (_attempt == 1 || _attempt % 10 == 0) ? LogLevel.Warning : LogLevel.Debug,
            "Watch of {Prefix} lost etcd ({Error}); attempt {Attempt}, watching again in {Delay} from revision {Revision}, keeping the endpoints as they are",
            _prefix, error.Message, _attempt, delay, _lastRevision + 1);
        Timers.StartSingleTimer(ReconnectTimer, ConnectNow.Instance, delay);
    }

    private void MarkConnected()
    {
        if (_connected)
        {
            return;
        }
        _connected = true;
        _attempt = 0;
        Log.LogInformation("Watching {Prefix} from revision {Revision}", _prefix, _lastRevision + 1);
    }

    private sealed class ConnectNow
    {
        public static readonly ConnectNow Instance = new();
    }

    private sealed record SnapshotRead(int Generation, EtcdSnapshot Snapshot);
    private sealed record BatchReceived(int Generation, EtcdWatchBatch Batch);
    private sealed record ConnectionLost(int Generation, Exception Error);
}

/// <summary>Asks an etcd provider whether its watch is up and how far it has read.</summary>
public sealed record GetEtcdProviderStatus
{
    public static readonly GetEtcdProviderStatus Instance = new();
}

/// <summary>An etcd provider's watch: the prefix, whether it is connected, and the last revision it has seen.</summary>
public sealed record EtcdProviderStatus(string Prefix, bool Connected, long Revision);
