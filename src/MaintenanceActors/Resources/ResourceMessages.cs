namespace MaintenanceActors;

/// <summary>Resource to its parent on every (re)start: "send me the current desired state".</summary>
internal sealed record ResourceStarted(string Resource);

/// <summary>Supervisor to resource: still in maintenance (transition <paramref name="Epoch"/>), but the reason or end time changed.</summary>
internal sealed record MaintenanceInfoChanged(long Epoch, MaintenanceInfo? Info);

/// <summary>Thrown inside a resource actor after it reported a failed drain or resume, so that its supervisor restarts it.</summary>
public sealed class ResourceStepFailedException : Exception
{
    /// <summary>Wraps the step's error.</summary>
    public ResourceStepFailedException(string resource, string step, Exception inner)
        : base($"Resource '{resource}' failed to {step}: {inner.Message}", inner)
    {
    }
}
