using System.Runtime.CompilerServices;

namespace MaintenanceActors.Failover;

/// <summary>
/// Picks one endpoint of a <see cref="ServiceView"/>: strategies choose the group (all, healthy first, region by region),
/// algorithms pick inside it. Every pick skips endpoints in maintenance, unhealthy, open-circuited, or already tried by
/// the call. Allocation-free; at most one pass over the endpoints (round-robin, key hash and random stop at the first
/// selectable one in the usual case).
/// </summary>
internal static class EndpointSelector
{
    private const int RandomProbes = 4;

    public static EndpointEntry? Select(
        EndpointDirectory directory, ServiceView view, FailoverStrategy strategy, LoadBalancingAlgorithm? algorithm,
        string? key, string? region, in Tried tried)
    {
        var options = directory.Options;
        var algo = algorithm ?? options.Algorithm ?? strategy switch
        {
            FailoverStrategy.Random => LoadBalancingAlgorithm.Random,
            FailoverStrategy.Weighted => LoadBalancingAlgorithm.Weighted,
            FailoverStrategy.LeastConnections => LoadBalancingAlgorithm.LeastConnections,
            _ => LoadBalancingAlgorithm.RoundRobin,
        };
        switch (strategy)
        {
            case FailoverStrategy.HealthBased:
                return Pick(directory, view, algo, key, new HealthyOnly(), tried)
                    ?? Pick(directory, view, algo, key, new Any(), tried);
            case FailoverStrategy.Geographic:
                if (region is not null && Pick(directory, view, algo, key, new InRegion(region), tried) is { } local) return local;
                foreach (var next in options.RegionOrder)
                {
                    if (region is not null && string.Equals(next, region, StringComparison.OrdinalIgnoreCase)) continue;
                    if (Pick(directory, view, algo, key, new InRegion(next), tried) is { } found) return found;
                }
                return Pick(directory, view, algo, key, new Any(), tried);
            default:
                return Pick(directory, view, algo, key, new Any(), tried);
        }
    }

    private static EndpointEntry? Pick<TGroup>(
        EndpointDirectory directory, ServiceView view, LoadBalancingAlgorithm algorithm, string? key, TGroup group, in Tried tried)
        where TGroup : struct, IGroup => algorithm switch
    {
        LoadBalancingAlgorithm.Random => RandomPick(directory.Random, view, group, tried),
        LoadBalancingAlgorithm.Weighted => WeightedPick(directory.Random, view, group, tried),
        LoadBalancingAlgorithm.LeastConnections => LeastConnections(view, group, tried),
        LoadBalancingAlgorithm.KeyHash when key is not null => KeyHash(directory.Options, view, key, group, tried),
        _ => RoundRobin(view, group, tried),
    };

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static bool Candidate<TGroup>(EndpointEntry entry, TGroup group, in Tried tried) where TGroup : struct, IGroup =>
        entry.IsSelectable && group.Accepts(entry) && !tried.Contains(entry);

    private static EndpointEntry? RoundRobin<TGroup>(ServiceView view, TGroup group, in Tried tried) where TGroup : struct, IGroup
    {
        var entries = view.Entries;
        var start = (int)((uint)Interlocked.Increment(ref view.Cursor.Next) % (uint)entries.Length);
        var entry = FirstFrom(entries, start, group, tried, out var skipped);
        if (skipped > 0)
        {
            // Move the cursor past the endpoints skipped, so the next pick starts after this one: an excluded endpoint's
            // turns are spread over the others instead of all going to its neighbour.
            Interlocked.Add(ref view.Cursor.Next, skipped);
        }
        return entry;
    }

    private static EndpointEntry? FirstFrom<TGroup>(EndpointEntry[] entries, int start, TGroup group, in Tried tried) where TGroup : struct, IGroup =>
        FirstFrom(entries, start, group, tried, out _);

    private static EndpointEntry? FirstFrom<TGroup>(EndpointEntry[] entries, int start, TGroup group, in Tried tried, out int skipped) where TGroup : struct, IGroup
    {
        for (var i = start; i < entries.Length; i++)
        {
            if (Candidate(entries[i], group, tried))
            {
                skipped = i - start;
                return entries[i];
            }
        }
        for (var i = 0; i < start; i++)
        {
            if (Candidate(entries[i], group, tried))
            {
                skipped = entries.Length - start + i;
                return entries[i];
            }
        }
        skipped = 0;
        return null;
    }

    private static EndpointEntry? RandomPick<TGroup>(Random random, ServiceView view, TGroup group, in Tried tried) where TGroup : struct, IGroup
    {
        var entries = view.Entries;
        // Rejection sampling keeps the pick uniform over the candidates; when few are left, count them instead.
        for (var probe = 0; probe < RandomProbes; probe++)
        {
            var entry = entries[random.Next(entries.Length)];
            if (Candidate(entry, group, tried)) return entry;
        }
        var count = 0;
        foreach (var entry in entries)
        {
            if (Candidate(entry, group, tried)) count++;
        }
        if (count == 0) return null;
        var nth = random.Next(count);
        foreach (var entry in entries)
        {
            if (Candidate(entry, group, tried) && nth-- == 0) return entry;
        }
        return null;
    }

    private static EndpointEntry? WeightedPick<TGroup>(Random random, ServiceView view, TGroup group, in Tried tried) where TGroup : struct, IGroup
    {
        var entries = view.Entries;
        if (view.TotalWeight > 0)
        {
            for (var probe = 0; probe < RandomProbes; probe++)
            {
                var column = random.Next(entries.Length);
                var index = random.Next(view.TotalWeight) < view.AliasThreshold[column] ? column : view.Alias[column];
                var entry = entries[index];
                if (entry.Endpoint.Weight > 0 && Candidate(entry, group, tried)) return entry;
            }
        }
        var total = 0;
        foreach (var entry in entries)
        {
            if (Candidate(entry, group, tried)) total += Math.Max(0, entry.Endpoint.Weight);
        }
        if (total == 0)
        {
            // Only weight-0 endpoints are left: they take the traffic rather than none.
            return FirstFrom(entries, 0, group, tried);
        }
        var point = random.Next(total);
        foreach (var entry in entries)
        {
            if (!Candidate(entry, group, tried)) continue;
            point -= Math.Max(0, entry.Endpoint.Weight);
            if (point < 0) return entry;
        }
        return null;
    }

    private static EndpointEntry? LeastConnections<TGroup>(ServiceView view, TGroup group, in Tried tried) where TGroup : struct, IGroup
    {
        var entries = view.Entries;
        // Starting at a rotating offset spreads ties instead of piling them onto the first endpoint.
        var start = (int)((uint)Interlocked.Increment(ref view.Cursor.Next) % (uint)entries.Length);
        EndpointEntry? best = null;
        var fewest = int.MaxValue;
        // Two plain loops (no wrap-around index) let the JIT drop bounds checks: this is the one full scan.
        for (var i = start; i < entries.Length; i++)
        {
            var entry = entries[i];
            var active = Volatile.Read(ref entry.Active);
            if (active < fewest && Candidate(entry, group, tried))
            {
                if (active == 0) return entry;
                best = entry;
                fewest = active;
            }
        }
        for (var i = 0; i < start; i++)
        {
            var entry = entries[i];
            var active = Volatile.Read(ref entry.Active);
            if (active < fewest && Candidate(entry, group, tried))
            {
                if (active == 0) return entry;
                best = entry;
                fewest = active;
            }
        }
        return best;
    }

    private static EndpointEntry? KeyHash<TGroup>(FailoverOptions options, ServiceView view, string key, TGroup group, in Tried tried) where TGroup : struct, IGroup
    {
        var sticky = options.StickySessions ? view.Cursor.Sticky : null;
        EndpointEntry? remembered = null;
        if (sticky is not null && sticky.TryGetValue(key, out remembered) && !remembered.Removed && Candidate(remembered, group, tried))
        {
            return remembered;
        }
        var entries = view.Entries;
        var chosen = FirstFrom(entries, (int)(Hash(key) % (uint)entries.Length), group, tried);
        if (chosen is not null && sticky is not null && !ReferenceEquals(remembered, chosen))
        {
            if (sticky.Count >= options.MaxStickyKeys) sticky.Clear();
            sticky[key] = chosen;
        }
        return chosen;
    }

    /// <summary>FNV-1a over the key's UTF-16 code units: stable across processes, unlike <see cref="string.GetHashCode()"/>.</summary>
    internal static uint Hash(string key)
    {
        var hash = 2166136261u;
        foreach (var c in key)
        {
            hash = (hash ^ c) * 16777619u;
        }
        return hash;
    }

    private interface IGroup
    {
        bool Accepts(EndpointEntry entry);
    }

    private readonly struct Any : IGroup
    {
        public bool Accepts(EndpointEntry entry) => true;
    }

    private readonly struct HealthyOnly : IGroup
    {
        public bool Accepts(EndpointEntry entry) => entry.Health == EndpointHealth.Healthy;
    }

    private readonly struct InRegion(string region) : IGroup
    {
        public bool Accepts(EndpointEntry entry) => string.Equals(entry.Endpoint.Region, region, StringComparison.OrdinalIgnoreCase);
    }
}
