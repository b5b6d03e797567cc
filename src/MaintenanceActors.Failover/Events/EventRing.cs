namespace MaintenanceActors.Failover;

/// <summary>The newest events, at most <see cref="Capacity"/> (older ones are overwritten); owned by the registry actor.</summary>
internal sealed class EventRing
{
    private FailoverEvent[] _items;
    private int _next;
    private int _count;

    public EventRing(int capacity) => _items = new FailoverEvent[capacity];

    public int Capacity => _items.Length;

    public void Add(FailoverEvent item)
    {
        _items[_next] = item;
        _next = (_next + 1) % _items.Length;
        if (_count < _items.Length) _count++;
    }

    /// <summary>The newest <paramref name="limit"/> events, oldest first.</summary>
    public IReadOnlyList<FailoverEvent> Latest(int limit)
    {
        var take = Math.Clamp(limit, 0, _count);
        var result = new FailoverEvent[take];
        for (var i = 0; i < take; i++)
        {
            result[i] = _items[(_next - take + i + _items.Length) % _items.Length];
        }
        return result;
    }

    public void Resize(int capacity)
    {
        if (capacity == _items.Length) return;
        var kept = Latest(capacity);
        _items = new FailoverEvent[capacity];
        _next = 0;
        _count = 0;
        foreach (var item in kept) Add(item);
    }
}
