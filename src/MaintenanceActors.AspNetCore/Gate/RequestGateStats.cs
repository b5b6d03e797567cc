namespace MaintenanceActors.AspNetCore.Gate;

/// <summary>A snapshot of a request gate's counters.</summary>
/// <param name="InFlight">Admitted requests still running.</param>
/// <param name="Served">Admitted requests that have finished (normally or not) since start.</param>
/// <param name="Refused">Requests refused because the gate was closed, since start.</param>
/// <param name="IsClosed">Whether the gate refuses new requests now.</param>
internal readonly record struct RequestGateStats(long InFlight, long Served, long Refused, bool IsClosed)
{
    /// <summary>The counters a drain actor reports in its resource stats.</summary>
    public IReadOnlyDictionary<string, long> ToCounters() => new Dictionary<string, long> { ["served"] = Served, ["refused"] = Refused };
}
