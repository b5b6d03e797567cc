using MaintenanceActors.Cli.Etcd;

namespace MaintenanceActors.Cli.Fleet;

/// <summary>One instance as maintctl shows it: its published status (null when it publishes none) and its own maintenance key.</summary>
internal sealed record InstanceView(string Id, InstanceStatus? Status, MaintenanceSetting? Key, long StatusRevision, bool HeldByRoll)
{
    /// <summary>The phase to show: the instance's own, or "no status" when it publishes none (not running, or not on the fleet contract).</summary>
    public string Phase => Status?.Phase ?? "no status";
}

/// <summary>A service at one revision: its service-wide value, its instances, and how many roll slots are held.</summary>
internal sealed record ServiceView(string Service, MaintenanceSetting? ServiceKey, IReadOnlyList<InstanceView> Instances, int SlotsHeld, long Revision)
{
    /// <summary>Instances reporting serving and not in maintenance.</summary>
    public int Available => Instances.Count(i => i.Status?.IsAvailable == true);

    /// <summary>Instances that publish a status and are not available (draining, drained, resuming...).</summary>
    public int Unavailable => Instances.Count(i => i.Status is { IsAvailable: false });
}

/// <summary>A change seen on the watch, already classified.</summary>
internal sealed record FleetChange(long Revision, FleetKey What, string? Value, string Key = "");

/// <summary>The fleet keys maintctl knows at a revision (from a read, then kept current by watch events).</summary>
internal sealed class FleetState
{
    private readonly Dictionary<string, KeyValue> _keys = new(StringComparer.Ordinal);

    public long Revision { get; private set; }

    public void Load(RangeResult read)
    {
        _keys.Clear();
        foreach (var kv in read.Items)
        {
            _keys[kv.Key] = kv;
        }
        Revision = read.Revision;
    }

    public void Put(KeyValue kv)
    {
        _keys[kv.Key] = kv;
        Revision = Math.Max(Revision, kv.ModRevision);
    }

    public void Delete(string key, long revision)
    {
        _keys.Remove(key);
        Revision = Math.Max(Revision, revision);
    }

    /// <summary>A copy to follow changes separately (the test sampler applies each change to its own copy).</summary>
    public FleetState Clone()
    {
        var copy = new FleetState { Revision = Revision };
        foreach (var (key, kv) in _keys)
        {
            copy._keys[key] = kv;
        }
        return copy;
    }

    /// <summary>Applies one watch change: a put, or a delete when <see cref="FleetChange.Value"/> is null.</summary>
    public void Apply(string key, FleetChange change)
    {
        if (change.Value is null)
        {
            Delete(key, change.Revision);
        }
        else
        {
            Put(new KeyValue(key, change.Value, change.Revision, 0, 0, 0));
        }
    }

    public void AdvanceTo(long revision) => Revision = Math.Max(Revision, revision);

    public KeyValue? Get(string key) => _keys.GetValueOrDefault(key);

    /// <summary>Keys under a prefix, for the roll's budget count.</summary>
    public IEnumerable<KeyValue> Under(string prefix) => _keys.Values.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>Every service that has a maintenance value, an instance key, a status or a roll slot.</summary>
    public IReadOnlyList<string> Services() =>
        _keys.Keys.Select(FleetKeys.Classify).Where(k => k is not null).Select(k => k!.Service).Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal).ToArray();

    public ServiceView View(string service)
    {
        MaintenanceSetting? serviceKey = null;
        var statuses = new Dictionary<string, (InstanceStatus Status, long Revision)>(StringComparer.Ordinal);
        var keys = new Dictionary<string, MaintenanceSetting>(StringComparer.Ordinal);
        var slots = new HashSet<string>(StringComparer.Ordinal);
        foreach (var kv in _keys.Values)
        {
            if (FleetKeys.Classify(kv.Key) is not { } what || what.Service != service)
            {
                continue;
            }
            switch (what.Kind)
            {
                case FleetKeyKind.ServiceValue: serviceKey = MaintenanceSetting.Parse(kv.Value); break;
                case FleetKeyKind.InstanceValue: keys[what.Instance!] = MaintenanceSetting.Parse(kv.Value); break;
                case FleetKeyKind.Status: statuses[what.Instance!] = (InstanceStatus.Parse(what.Instance!, kv.Value), kv.ModRevision); break;
                case FleetKeyKind.Slot: slots.Add(what.Instance!); break;
            }
        }
        var ids = statuses.Keys.Concat(keys.Keys).Distinct(StringComparer.Ordinal).Order(NaturalOrder.Instance);
        var instances = ids.Select(id => new InstanceView(id,
            statuses.TryGetValue(id, out var s) ? s.Status : null,
            keys.GetValueOrDefault(id),
            statuses.TryGetValue(id, out var r) ? r.Revision : 0,
            slots.Contains(id))).ToArray();
        return new ServiceView(service, serviceKey, instances, slots.Count, Revision);
    }
}

/// <summary>orders-2 before orders-10: digit runs compare as numbers.</summary>
internal sealed class NaturalOrder : IComparer<string>
{
    public static readonly NaturalOrder Instance = new();

    public int Compare(string? x, string? y)
    {
        if (x is null || y is null) return string.CompareOrdinal(x, y);
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                int si = i, sj = j;
                while (i < x.Length && char.IsAsciiDigit(x[i])) i++;
                while (j < y.Length && char.IsAsciiDigit(y[j])) j++;
                var a = x[si..i].TrimStart('0');
                var b = y[sj..j].TrimStart('0');
                var c = a.Length != b.Length ? a.Length.CompareTo(b.Length) : string.CompareOrdinal(a, b);
                if (c != 0) return c;
            }
            else
            {
                if (x[i] != y[j]) return x[i].CompareTo(y[j]);
                i++;
                j++;
            }
        }
        return (x.Length - i).CompareTo(y.Length - j);
    }
}
