namespace MaintenanceActors;

/// <summary>The supervisor's state, readable from any thread without a message (readiness probes read it on every request).</summary>
internal sealed class MaintenanceStateCell
{
    private volatile bool _desired;
    private volatile bool _applied;

    /// <summary>True while any source asks for maintenance.</summary>
    public bool Desired { get => _desired; set => _desired = value; }

    /// <summary>The state of the last completed transition.</summary>
    public bool Applied { get => _applied; set => _applied = value; }
}
