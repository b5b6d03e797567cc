namespace MaintenanceActors.Failover;

/// <summary>The endpoints already tried by one call, kept inline for the first four (no allocation in the usual case).</summary>
internal struct Tried
{
    private EndpointEntry? _a, _b, _c, _d;
    private List<EndpointEntry>? _more;

    public int Count { get; private set; }

    public void Add(EndpointEntry entry)
    {
        switch (Count)
        {
            case 0: _a = entry; break;
            case 1: _b = entry; break;
            case 2: _c = entry; break;
            case 3: _d = entry; break;
            default: (_more ??= new()).Add(entry); break;
        }
        Count++;
    }

    public readonly bool Contains(EndpointEntry entry)
    {
        if (Count == 0) return false;
        if (ReferenceEquals(_a, entry) || ReferenceEquals(_b, entry) || ReferenceEquals(_c, entry) || ReferenceEquals(_d, entry)) return true;
        return _more is not null && _more.Contains(entry);
    }

    public void Clear() => this = default;
}
