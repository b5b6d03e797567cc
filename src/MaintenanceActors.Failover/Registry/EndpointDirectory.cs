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
        CumulativeWeights = new int[entries.Length];
        var total = 0;
        for (var i = 0; i < entries.Length; i++)
        {
            total += Math.Max(0, entries[i].Endpoint.Weight);
            CumulativeWeights[i] = total;
        }
        TotalWeight = total;
    }

    public string Name { get; }

    public EndpointEntry[] Entries { get; }

    public int[] CumulativeWeights { get; }

    public int TotalWeight { get; }

    public ServiceCursor Cursor { get; }
}

/// <summary>The mutable selection state of one service that outlives its views: the round-robin counter and the sticky table.</summary>
internal sealed class ServiceCursor
{
    public int Next = -1;
    public readonly ConcurrentDictionary<string, EndpointEntry> Sticky = new(StringComparer.Ordinal);
}
