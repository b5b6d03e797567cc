using System.Runtime.CompilerServices;
using System.Text;
using System.Threading.Channels;
using MaintenanceActors.Etcd;

namespace MaintenanceActors.Tests.Support;

/// <summary>An in-memory etcd slice for watcher specs: revisions, history, compaction, lost connections, progress notifications.</summary>
internal sealed class FakeEtcdBackend : IEtcdWatchBackend
{
    private readonly object _gate = new();
    private readonly SortedDictionary<string, (byte[] Value, long ModRevision)> _kv = new(StringComparer.Ordinal);
    private readonly List<EtcdChange> _history = new();
    private readonly List<(string Key, bool Prefix, Channel<EtcdWatchBatch> Channel)> _watches = new();
    private long _revision = 1;
    private long _compacted;
    private int _attempts;

    public bool Reachable { get; set; } = true;

    /// <summary>Re-send this many already-seen revisions on a new watch (etcd does not, but the watcher must not care).</summary>
    public int ReplayOverlap { get; set; }

    private readonly List<long> _watchStarts = new();

    /// <summary>The start revision of every watch created, oldest first (a snapshot).</summary>
    public IReadOnlyList<long> WatchStarts
    {
        get { lock (_gate) return _watchStarts.ToArray(); }
    }

    public int Attempts => Volatile.Read(ref _attempts);

    public long Revision
    {
        get { lock (_gate) return _revision; }
    }

    public long Put(string key, string value)
    {
        lock (_gate)
        {
            var revision = ++_revision;
            var bytes = Encoding.UTF8.GetBytes(value);
            _kv[key] = (bytes, revision);
            Record(new EtcdChange(key, bytes, revision));
            return revision;
        }
    }

    public long Delete(string key)
    {
        lock (_gate)
        {
            var revision = ++_revision;
            _kv.Remove(key);
            Record(new EtcdChange(key, null, revision));
            return revision;
        }
    }

    /// <summary>Bumps the store revision without touching watched keys (another key was written).</summary>
    public long Unrelated()
    {
        lock (_gate) return ++_revision;
    }

    public void Compact()
    {
        lock (_gate) _compacted = _revision;
    }

    public void Disconnect()
    {
        lock (_gate)
        {
            foreach (var watch in _watches) watch.Channel.Writer.TryComplete(new IOException("connection reset by peer"));
            _watches.Clear();
        }
    }

    public void SendProgress()
    {
        lock (_gate)
        {
            foreach (var watch in _watches) watch.Channel.Writer.TryWrite(new EtcdWatchBatch(_revision, Array.Empty<EtcdChange>(), Progress: true));
        }
    }

    public Task<EtcdSnapshot> ReadAsync(string key, bool prefix, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        lock (_gate)
        {
            if (!Reachable) return Task.FromException<EtcdSnapshot>(new IOException("connection refused (127.0.0.1:2379)"));
            var entries = _kv.Where(kv => Matches(kv.Key, key, prefix)).Select(kv => new EtcdEntry(kv.Key, kv.Value.Value, kv.Value.ModRevision)).ToArray();
            return Task.FromResult(new EtcdSnapshot(_revision, entries));
        }
    }

    public async IAsyncEnumerable<EtcdWatchBatch> WatchAsync(string key, bool prefix, long fromRevision, bool progressNotify,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _attempts);
        Channel<EtcdWatchBatch> channel;
        lock (_gate)
        {
            if (!Reachable) throw new IOException("connection refused (127.0.0.1:2379)");
            _watchStarts.Add(fromRevision);
            channel = Channel.CreateUnbounded<EtcdWatchBatch>();
            if (fromRevision <= _compacted)
            {
                channel.Writer.TryWrite(new EtcdWatchBatch(_revision, Array.Empty<EtcdChange>(), CompactRevision: _compacted));
                channel.Writer.TryComplete();
            }
            else
            {
                channel.Writer.TryWrite(new EtcdWatchBatch(_revision, Array.Empty<EtcdChange>(), Created: true));
                var from = Math.Max(1, fromRevision - ReplayOverlap);
                foreach (var change in _history.Where(c => c.ModRevision >= from && Matches(c.Key, key, prefix)))
                {
                    channel.Writer.TryWrite(new EtcdWatchBatch(change.ModRevision, new[] { change }));
                }
                _watches.Add((key, prefix, channel));
            }
        }
        await foreach (var batch in channel.Reader.ReadAllAsync(cancellationToken))
        {
            yield return batch;
        }
    }

    public Task<long> PutAsync(string key, string value, CancellationToken cancellationToken) => Task.FromResult(Put(key, value));

    private void Record(EtcdChange change)
    {
        _history.Add(change);
        foreach (var watch in _watches.Where(w => Matches(change.Key, w.Key, w.Prefix)))
        {
            watch.Channel.Writer.TryWrite(new EtcdWatchBatch(change.ModRevision, new[] { change }));
        }
    }

    private static bool Matches(string candidate, string key, bool prefix) =>
        prefix ? candidate.StartsWith(key, StringComparison.Ordinal) : candidate == key;
}
