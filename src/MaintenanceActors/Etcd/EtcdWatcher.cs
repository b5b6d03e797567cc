using Akka.Actor;
using Microsoft.Extensions.Logging;
using KeyState = MaintenanceActors.Etcd.EtcdWatcherMemory.KeyState;

namespace MaintenanceActors.Etcd;

/// <summary>Watches the etcd maintenance key(s) and publishes <see cref="MaintenanceStateChanged"/> without ever missing or repeating a change.</summary>
/// <remarks>
/// Reads, then watches from the read's revision + 1. After a disconnect it reconnects with exponential
/// backoff and jitter and resumes from the last seen revision + 1 (events and progress notifications
/// advance it). After a compaction it reads again, publishes the current value as a resync, and watches
/// on from there. A (key, revision) is published at most once. While etcd is unreachable the last state
/// stands and the source reports itself unhealthy; <see cref="SourceHealthChanged"/> is published on every
/// change of health and <see cref="GetHealth"/> is answered with <see cref="SourceHealth"/>.
/// </remarks>
internal sealed class EtcdWatcher : ReceiveActor, IWithTimers
{
    private ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    private const int MaxWarnings = 10;
    private static readonly object ReconnectTimer = new();

    private readonly EtcdSourceOptions _options;
    private readonly IEtcdWatchBackend _backend;
    private readonly Random _random;
    private readonly EtcdWatcherMemory _memory;

    private int _generation;
    private int _attempt;
    private CancellationTokenSource? _connection;
    private bool _connected;
    private DateTimeOffset? _reconnectingSince;
    private string? _lastError;
    private SourceHealth? _lastHealth;

    /// <param name="options">The key(s) to watch and the reconnect policy.</param>
    /// <param name="backend">The etcd read/watch/put calls (dotnet-etcd in production, a fake in specs).</param>
    /// <param name="random">Source of the reconnect jitter (seeded in specs).</param>
    /// <param name="memory">What was already published; pass the same instance across restarts so nothing is published twice.</param>
    public EtcdWatcher(EtcdSourceOptions options, IEtcdWatchBackend backend, Random? random = null, EtcdWatcherMemory? memory = null)
    {
        _memory = memory ?? new EtcdWatcherMemory();
        _options = options;
        _backend = backend;
        _random = random ?? Random.Shared;

        Receive<ConnectNow>(_ => Connect());
        Receive<SnapshotRead>(OnSnapshot, m => m.Generation == _generation);
        Receive<BatchReceived>(OnBatch, m => m.Generation == _generation);
        Receive<ConnectionLost>(m => OnLost(m.Error), m => m.Generation == _generation);
        // Messages of an abandoned connection: it was already replaced.
        Receive<SnapshotRead>(_ => { });
        Receive<BatchReceived>(_ => { });
        Receive<ConnectionLost>(_ => { });
        Receive<GetHealth>(_ => Sender.Tell(BuildHealth(), Self));
        Receive<MaintenanceStateRequested>(request =>
        {
            // Told, not published: the requester (a restarted supervisor) gets the current values, the EventStream no repeats.
            foreach (var key in _memory.Keys.Values.Where(k => k.LastPublished is not null))
            {
                request.ReplyTo.Tell(key.LastPublished!, Self);
            }
            request.ReplyTo.Tell(new SourceHealthChanged(BuildHealth()), Self);
        });
    }

    public ITimerScheduler Timers { get; set; } = null!;

    private string Source => _options.SourceName;

    protected override void PreStart()
    {
        Context.System.EventStream.Subscribe(Self, typeof(MaintenanceStateRequested));
        _reconnectingSince = Context.System.Clock().GetUtcNow(); // not connected yet: "connecting since start"
        PublishHealth();
        Self.Tell(ConnectNow.Instance, Self);
    }

    protected override void PostStop() => _connection?.Cancel();

    private void Connect()
    {
        var generation = ++_generation;
        _connection?.Cancel();
        _connection = new CancellationTokenSource();
        var token = _connection.Token;
        var self = Self;
        if (!_memory.HaveSnapshot)
        {
            _backend.ReadAsync(_options.Key, _options.Prefix, token).PipeTo(self, self,
                success: snapshot => new SnapshotRead(generation, snapshot, Resync: false),
                failure: ex => new ConnectionLost(generation, ex));
            return;
        }
        StartWatch(generation, _memory.LastRevision + 1, token);
    }

    private void StartWatch(int generation, long fromRevision, CancellationToken token)
    {
        var self = Self;
        var backend = _backend;
        var options = _options;
        _ = Task.Run(async () =>
        {
            try
            {
                await foreach (var batch in backend.WatchAsync(options.Key, options.Prefix, fromRevision, options.ProgressNotify, token).ConfigureAwait(false))
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
                // This connection was replaced on purpose.
            }
            catch (Exception ex)
            {
                self.Tell(new ConnectionLost(generation, ex), self);
            }
        }, CancellationToken.None);
    }

    private void OnSnapshot(SnapshotRead read)
    {
        var snapshot = read.Snapshot;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var entry in snapshot.Entries)
        {
            seen.Add(entry.Key);
            Apply(entry.Key, entry.Value, entry.ModRevision, read.Resync);
        }
        // Keys we knew that are gone now were deleted while we could not watch.
        foreach (var (key, state) in _memory.Keys.ToArray())
        {
            if (state.Present && !seen.Contains(key))
            {
                Apply(key, null, snapshot.Revision, read.Resync);
            }
        }
        if (!_options.Prefix && !seen.Contains(_options.Key) && !_memory.Keys.ContainsKey(_options.Key))
        {
            // An absent key is a definite "off": say so once, so the supervisor knows this source's opinion.
            Apply(_options.Key, null, snapshot.Revision, read.Resync);
        }
        _memory.LastRevision = Math.Max(_memory.LastRevision, snapshot.Revision);
        _memory.HaveSnapshot = true;
        MarkConnected();
        StartWatch(read.Generation, _memory.LastRevision + 1, _connection!.Token);
    }

    private void OnBatch(BatchReceived received)
    {
        var batch = received.Batch;
        if (batch.CompactRevision > 0)
        {
            Log.LogWarning("etcd compacted revision {CompactRevision} before source {Source} could resume from {Revision}; re-reading {Key}",
                batch.CompactRevision, Source, _memory.LastRevision + 1, _options.Key);
            var generation = ++_generation;
            _connection?.Cancel();
            _connection = new CancellationTokenSource();
            var self = Self;
            _backend.ReadAsync(_options.Key, _options.Prefix, _connection.Token).PipeTo(self, self,
                success: snapshot => new SnapshotRead(generation, snapshot, Resync: true),
                failure: ex => new ConnectionLost(generation, ex));
            return;
        }
        MarkConnected();
        foreach (var change in batch.Changes)
        {
            Apply(change.Key, change.Value, change.ModRevision, resync: false);
            _memory.LastRevision = Math.Max(_memory.LastRevision, change.ModRevision);
        }
        if (batch.Progress && batch.Changes.Count == 0)
        {
            // A progress notification promises that nothing up to its header revision is still to come.
            _memory.LastRevision = Math.Max(_memory.LastRevision, batch.HeaderRevision);
        }
    }

    private void Apply(string key, byte[]? value, long revision, bool resync)
    {
        _memory.Keys.TryGetValue(key, out var state);
        if (state is not null && revision <= state.Revision)
        {
            return; // already published: never twice for one (key, revision)
        }
        if (value is not null && value.Length > _options.MaxValueBytes)
        {
            KeepLastState(key, state, revision,
                $"value of '{key}' at revision {revision} is {value.Length} bytes, more than MaxValueBytes ({_options.MaxValueBytes}); kept the last known state");
            return;
        }
        if (value is null && state is { Present: false })
        {
            _memory.Keys[key] = state with { Revision = revision };
            ClearInvalid(key);
            return; // deleting what is already absent changes nothing
        }
        var parsed = value is null ? MaintenanceValue.Off : MaintenanceValueParser.Parse(value, key, revision);
        if (parsed.IsMalformed)
        {
            // A typo must not end (or start) maintenance: only a valid value changes the state.
            KeepLastState(key, state, revision, parsed.Warning!);
            return;
        }
        var changed = new MaintenanceStateChanged(
            Source, key, parsed.Enabled, parsed.Info, revision, Context.System.Clock().GetUtcNow(), resync, Schedule: parsed.Schedule);
        _memory.Keys[key] = new KeyState(revision, value is not null, changed);
        if (value is null)
        {
            Log.LogInformation("Source {Source}: {Key} is absent at store revision {Revision}, which means off (resync: {Resync})", Source, key, revision, resync);
        }
        else
        {
            Log.LogInformation("Source {Source} saw {Key} = {Enabled} at revision {Revision} (resync: {Resync})", Source, key, parsed.Enabled, revision, resync);
        }
        Context.System.EventStream.Publish(changed);
        ClearInvalid(key);
    }

    private void KeepLastState(string key, KeyState? state, long revision, string warning)
    {
        _memory.Keys[key] = state is null ? new KeyState(revision, true, null) : state with { Revision = revision, Present = true };
        _memory.Invalid[key] = warning;
        AddWarning(warning);
    }

    private void ClearInvalid(string key)
    {
        if (_memory.Invalid.Remove(key))
        {
            Log.LogInformation("Source {Source}: {Key} holds a valid value again", Source, key);
            PublishHealth();
        }
    }

    private void OnLost(Exception error)
    {
        _generation++;
        _connection?.Cancel();
        _connection = null;
        _connected = false;
        _reconnectingSince ??= Context.System.Clock().GetUtcNow();
        _lastError = Describe(error);
        var delay = NextBackoff();
        // The first failure of an outage (and every tenth retry) is a warning; the retries between are debug, so a long
        // outage does not flood the log while health keeps saying "reconnecting since" with the error.
        Log.Log(_attempt == 1 || _attempt % 10 == 0 ? LogLevel.Warning : LogLevel.Debug,
            "Source {Source} lost etcd ({Error}); attempt {Attempt}, reconnecting in {Delay} from revision {Revision}, keeping the last known state",
            Source, _lastError, _attempt, delay, _memory.LastRevision + 1);
        Timers.StartSingleTimer(ReconnectTimer, ConnectNow.Instance, delay);
        PublishHealth();
    }

    private TimeSpan NextBackoff()
    {
        var exponent = Math.Min(_attempt++, 30);
        var baseDelay = Math.Min(_options.ReconnectMaxBackoff.TotalMilliseconds, _options.ReconnectMinBackoff.TotalMilliseconds * Math.Pow(2, exponent));
        var spread = 1 + _options.ReconnectJitter * (_random.NextDouble() * 2 - 1);
        return TimeSpan.FromMilliseconds(Math.Max(1, baseDelay * spread));
    }

    private void MarkConnected()
    {
        if (_connected)
        {
            return;
        }
        _connected = true;
        _attempt = 0;
        _reconnectingSince = null;
        Log.LogInformation("Source {Source} is watching {Key} from revision {Revision}", Source, _options.Key, _memory.LastRevision + 1);
        PublishHealth();
    }

    private void AddWarning(string warning)
    {
        Log.LogWarning("Source {Source}: {Warning}", Source, warning);
        if (_memory.Warnings.Count == MaxWarnings)
        {
            _memory.Warnings.RemoveAt(0);
        }
        _memory.Warnings.Add(warning);
        PublishHealth();
    }

    // Degraded while a key holds a value that could not be used: the state shown may not be what the operator meant.
    private SourceHealth BuildHealth() => new(
        Source,
        !_connected ? ComponentHealth.Unhealthy : _memory.Invalid.Count > 0 ? ComponentHealth.Degraded : ComponentHealth.Healthy,
        _connected,
        _reconnectingSince,
        _memory.LastRevision,
        _lastError,
        _memory.Warnings.ToArray());

    private void PublishHealth()
    {
        var health = BuildHealth();
        if (_lastHealth is not null && _lastHealth.Status == health.Status && _lastHealth.Connected == health.Connected && _lastHealth.LastError == health.LastError
            && _lastHealth.Warnings.Count == health.Warnings.Count
            && (_lastHealth.Warnings.Count == 0 || _lastHealth.Warnings[^1] == health.Warnings[^1]))
        {
            return;
        }
        _lastHealth = health;
        Context.System.EventStream.Publish(new SourceHealthChanged(health));
    }

    private static string Describe(Exception error)
    {
        var inner = error is AggregateException { InnerException: { } first } ? first : error;
        return $"{inner.GetType().Name}: {inner.Message}";
    }

    private sealed class ConnectNow
    {
        public static readonly ConnectNow Instance = new();
    }

    private sealed record SnapshotRead(int Generation, EtcdSnapshot Snapshot, bool Resync);
    private sealed record BatchReceived(int Generation, EtcdWatchBatch Batch);
    private sealed record ConnectionLost(int Generation, Exception Error);
}
