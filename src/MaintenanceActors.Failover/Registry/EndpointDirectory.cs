using System.Collections.Concurrent;

namespace MaintenanceActors.Failover;

/// <summary>
/// The lock-free snapshot selection reads: the registry actor publishes a new immutable <see cref="ServiceView"/> per
/// service when membership changes; callers read the current one without a round trip to the actor.
/// </summary>
internal sealed class EndpointDirectory
{
    private volatile Dictionary<string, ServiceView> _services = new(StringComparer.Ordinal);
    private volatile FailoverOptions _options;

    public EndpointDirectory(FailoverOptions options, TimeProvider time, Random? random = null)
    {
        _options = options;
        Time = time;
        Random = random ?? Random.Shared;
    }

    public TimeProvider Time { get; }

    /// <summary>Random source of random and weighted picks (a seeded one in tests, used from one thread there).</summary>
    public Random Random { get; }

    public FailoverOptions Options
    {
        get => _options;
        set => _options = value;
    }

    // Call counters moved by callers with Interlocked.
    public long Calls;
    public long Successes;
    public long Failures;
    public long Attempts;
    public long FailedOver;

    public ServiceView? Find(string name) => _services.TryGetValue(name, out var view) ? view : null;

    public IReadOnlyCollection<ServiceView> Services => _services.Values;

    /// <summary>Replaces one service's view (the registry actor is the only caller).</summary>
    public void Publish(string name, EndpointEntry[] entries)
    {
        var services = new Dictionary<string, ServiceView>(_services, StringComparer.Ordinal);
        if (entries.Length == 0)
        {
            services.Remove(name);
        }
        else
        {
            var cursor = services.TryGetValue(name, out var old) ? old.Cursor : new ServiceCursor();
            services[name] = new ServiceView(name, entries, cursor);
        }
        _services = services;
    }
}

/// <summary>One service's endpoints (sorted by id) with what weighted picks need precomputed.</summary>
internal sealed class ServiceView
{
    public ServiceView(string name, EndpointEntry[] entries, ServiceCursor cursor)
    {
        Name = name;
        Entries = entries;
        Cursor = cursor;
        var total = 0L;
        foreach (var entry in entries)
        {
            total += Math.Max(0, entry.Endpoint.Weight);
        }
        TotalWeight = (int)Math.Min(total, int.MaxValue / Math.Max(1, entries.Length));
        (AliasThreshold, Alias) = BuildAliasTable(entries, TotalWeight);
    }

    public string Name { get; }

    public EndpointEntry[] Entries { get; }

    /// <summary>Sum of the weights (scaled down if it would overflow the alias table's integers).</summary>
    public int TotalWeight { get; }

    /// <summary>Walker's alias table: pick a column uniformly, keep it when a draw below <see cref="TotalWeight"/> falls under its threshold, else take its alias; O(1) per weighted pick.</summary>
    public int[] AliasThreshold { get; }

    public int[] Alias { get; }

    // Vose's construction in integers: column i holds weight_i × n, in units where a full column is the total weight.
    private static (int[] Threshold, int[] Alias) BuildAliasTable(EndpointEntry[] entries, int total)
    {
        var n = entries.Length;
        var threshold = new int[n];
        var alias = new int[n];
        if (total == 0) return (threshold, alias);
        var scaled = new long[n];
        var small = new Stack<int>();
        var large = new Stack<int>();
        long sum = 0;
        for (var i = 0; i < n; i++) sum += Math.Max(0, entries[i].Endpoint.Weight);
        for (var i = 0; i < n; i++)
        {
            // Rescaled so the columns sum to exactly n × total even when the weights were scaled down.
            scaled[i] = Math.Max(0, entries[i].Endpoint.Weight) * (long)n * total / sum;
            alias[i] = i;
            (scaled[i] < total ? small : large).Push(i);
        }
        while (small.Count > 0 && large.Count > 0)
        {
            var s = small.Pop();
            var l = large.Pop();
            threshold[s] = (int)scaled[s];
            alias[s] = l;
            scaled[l] -= total - scaled[s];
            (scaled[l] < total ? small : large).Push(l);
        }
        // Left-overs are full columns (up to rounding): they keep themselves.
        while (large.Count > 0) threshold[large.Pop()] = total;
        while (small.Count > 0)
        {
            var s = small.Pop();
            threshold[s] = scaled[s] > 0 ? total : 0;
        }
        return (threshold, alias);
    }

    public ServiceCursor Cursor { get; }
}

/// <summary>The mutable selection state of one service that outlives its views: the round-robin counter and the sticky table.</summary>
internal sealed class ServiceCursor
{
    public int Next = -1;
    public readonly ConcurrentDictionary<string, EndpointEntry> Sticky = new(StringComparer.Ordinal);
}
