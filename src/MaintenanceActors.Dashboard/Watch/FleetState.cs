using System.Text;
using System.Text.Json;

namespace MaintenanceActors.Dashboard.Watch;

/// <summary>
/// The fleet as the last etcd read and the watch events since describe it, plus a bounded timeline of transitions. Changed only by
/// the one watch loop; read by pages under the same lock, so a page's snapshot and the changes it receives after it never overlap
/// or leave a gap.
/// </summary>
internal sealed class FleetState(DashboardOptions options, TimeProvider clock)
{
    private readonly Dictionary<string, FleetEntry> _entries = new(StringComparer.Ordinal);
    private readonly Queue<FleetTransition> _timeline = new();
    private readonly List<FleetSubscription> _subscribers = new();
    private readonly object _gate = new();
    private long _revision;
    private EtcdLink _link = new(false, "not connected yet", clock.GetUtcNow(), 0);

    /// <summary>Number of pages (event streams) currently subscribed.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>The state now, for <c>GET api/state</c>.</summary>
    public FleetSnapshot Snapshot()
    {
        lock (_gate)
        {
            return SnapshotLocked();
        }
    }

    /// <summary>Subscribes a page: its first event is the snapshot, then every change, in order.</summary>
    public FleetSubscription Subscribe(int capacity = 4096)
    {
        lock (_gate)
        {
            var subscription = new FleetSubscription(this, capacity);
            subscription.TryPublish(FleetEvent.Snapshot(SnapshotLocked()));
            _subscribers.Add(subscription);
            return subscription;
        }
    }

    internal void Unsubscribe(FleetSubscription subscription)
    {
        lock (_gate)
        {
            _subscribers.Remove(subscription);
        }
    }

    /// <summary>Replaces everything with a fresh read (first start, or after a compaction): pages get a new snapshot.</summary>
    public void Reset(long revision, IEnumerable<(string Key, byte[] Value, long ModRevision)> keys)
    {
        lock (_gate)
        {
            var previous = new Dictionary<string, FleetEntry>(_entries, StringComparer.Ordinal);
            _entries.Clear();
            foreach (var (key, value, modRevision) in keys)
            {
                if (Read(key, value, modRevision) is { } entry)
                {
                    _entries[key] = entry;
                    if (TransitionOf(previous.GetValueOrDefault(key), entry, modRevision, initial: true) is { } transition)
                    {
                        Record(transition);
                    }
                }
            }
            foreach (var gone in previous.Values.Where(e => !_entries.ContainsKey(e.Key)))
            {
                Record(Gone(gone, revision));
            }
            _revision = revision;
            _link = new EtcdLink(true, null, clock.GetUtcNow(), revision);
            PublishLocked(FleetEvent.Snapshot(SnapshotLocked()));
        }
    }

    /// <summary>Applies one watched put (<paramref name="value"/> set) or delete (null); keys outside the contract are skipped.</summary>
    public void Apply(string key, byte[]? value, long modRevision)
    {
        lock (_gate)
        {
            _revision = Math.Max(_revision, modRevision);
            var fleetKey = FleetKey.TryParse(key, options.MaintenancePrefix, options.StatusPrefix);
            if (fleetKey is null)
            {
                return;
            }
            var previous = _entries.GetValueOrDefault(key);
            FleetChange change;
            if (value is null)
            {
                if (previous is null)
                {
                    return;
                }
                _entries.Remove(key);
                var gone = Gone(previous, modRevision);
                Record(gone);
                change = new FleetChange(modRevision, key, fleetKey.Kind, fleetKey.Service, fleetKey.Instance, true, null, gone);
            }
            else
            {
                var entry = Read(key, value, modRevision)!;
                _entries[key] = entry;
                var transition = TransitionOf(previous, entry, modRevision, initial: false);
                if (transition is not null)
                {
                    Record(transition);
                }
                change = new FleetChange(modRevision, key, fleetKey.Kind, fleetKey.Service, fleetKey.Instance, false, entry, transition);
            }
            PublishLocked(FleetEvent.Change(change));
        }
    }

    /// <summary>The watch is connected (again) at <paramref name="revision"/>.</summary>
    public void Connected(long revision)
    {
        lock (_gate)
        {
            if (_link.Connected)
            {
                return;
            }
            _link = new EtcdLink(true, null, clock.GetUtcNow(), Math.Max(_revision, revision));
            PublishLocked(FleetEvent.Link(_link));
        }
    }

    /// <summary>The watch lost etcd; the last known state stands and pages say since when and why.</summary>
    public void Disconnected(string error)
    {
        lock (_gate)
        {
            _link = _link.Connected || _link.Since is null
                ? new EtcdLink(false, error, clock.GetUtcNow(), _revision)
                : _link with { Error = error, Revision = _revision };
            PublishLocked(FleetEvent.Link(_link));
        }
    }

    private FleetSnapshot SnapshotLocked() =>
        new(_revision, _link, _entries.Values.OrderBy(e => e.Key, StringComparer.Ordinal).ToArray(), _timeline.ToArray());

    private void PublishLocked(FleetEvent fleetEvent)
    {
        for (var i = _subscribers.Count - 1; i >= 0; i--)
        {
            if (!_subscribers[i].TryPublish(fleetEvent))
            {
                // A page that cannot keep up is cut off; its browser reconnects and starts from a fresh snapshot.
                _subscribers[i].Overflowed();
                _subscribers.RemoveAt(i);
            }
        }
    }

    private void Record(FleetTransition transition)
    {
        _timeline.Enqueue(transition);
        while (_timeline.Count > options.TimelineCapacity)
        {
            _timeline.Dequeue();
        }
    }

    private FleetEntry? Read(string key, byte[] value, long modRevision)
    {
        var fleetKey = FleetKey.TryParse(key, options.MaintenancePrefix, options.StatusPrefix);
        if (fleetKey is null)
        {
            return null;
        }
        if (fleetKey.Kind == FleetKeyKind.Status)
        {
            try
            {
                using var document = JsonDocument.Parse(value);
                if (document.RootElement.ValueKind == JsonValueKind.Object)
                {
                    return new FleetEntry(key, fleetKey.Kind, fleetKey.Service, fleetKey.Instance, modRevision, document.RootElement.Clone(), null);
                }
                return new FleetEntry(key, fleetKey.Kind, fleetKey.Service, fleetKey.Instance, modRevision, null, "the status is not a JSON object");
            }
            catch (JsonException ex)
            {
                return new FleetEntry(key, fleetKey.Kind, fleetKey.Service, fleetKey.Instance, modRevision, null, $"the status is not valid JSON ({ex.Message})");
            }
        }
        var parsed = MaintenanceValueParser.Parse(value, key, modRevision);
        var raw = Encoding.UTF8.GetString(value);
        var view = new MaintenanceView(parsed.Enabled, parsed.Info?.Reason, parsed.Info?.By, parsed.Info?.Until, parsed.Warning, raw);
        return new FleetEntry(key, fleetKey.Kind, fleetKey.Service, fleetKey.Instance, modRevision, view, parsed.Warning);
    }

    private FleetTransition? TransitionOf(FleetEntry? previous, FleetEntry entry, long revision, bool initial)
    {
        var (state, reason, by, updatedAt) = Describe(entry);
        if (previous is not null && Describe(previous).State == state)
        {
            return null;
        }
        // At start the time of a key's last change is unknown, except where the status says when it was written.
        var at = initial && updatedAt is { } written ? written : clock.GetUtcNow();
        return new FleetTransition(at, revision, entry.Service, entry.Instance, entry.Kind, state, reason, by);
    }

    private FleetTransition Gone(FleetEntry entry, long revision) =>
        new(clock.GetUtcNow(), revision, entry.Service, entry.Instance, entry.Kind, entry.Kind == FleetKeyKind.Status ? "gone" : "off", null, null);

    private static (string State, string? Reason, string? By, DateTimeOffset? UpdatedAt) Describe(FleetEntry entry)
    {
        if (entry.Value is MaintenanceView view)
        {
            return (view.Malformed is not null ? "malformed" : view.Enabled ? "on" : "off", view.Reason, view.By, null);
        }
        if (entry.Value is JsonElement status)
        {
            var phase = Text(status, "phase") ?? "unknown";
            DateTimeOffset? updatedAt = status.TryGetProperty("updatedAt", out var u) && u.ValueKind == JsonValueKind.String && u.TryGetDateTimeOffset(out var t)
                ? t
                : null;
            return (phase, Text(status, "reason"), Text(status, "by"), updatedAt);
        }
        return ("malformed", null, null, null);
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
