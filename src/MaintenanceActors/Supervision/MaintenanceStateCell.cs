using System.Collections.Immutable;

namespace MaintenanceActors;

/// <summary>The supervisor's state, readable from any thread without a message (readiness probes read it on every request).</summary>
internal sealed class MaintenanceStateCell
{
    private volatile bool _desired;
    private volatile bool _applied;
    private volatile ImmutableDictionary<string, SourceHealth> _sources = ImmutableDictionary<string, SourceHealth>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>True while any source asks for maintenance.</summary>
    public bool Desired { get => _desired; set => _desired = value; }

    /// <summary>The state of the last completed transition.</summary>
    public bool Applied { get => _applied; set => _applied = value; }

    /// <summary>The last health each source reported (the supervisor's own view, published for readiness).</summary>
    public ImmutableDictionary<string, SourceHealth> Sources => _sources;

    public void SetSource(SourceHealth health) => _sources = _sources.SetItem(health.Source, health);
}
