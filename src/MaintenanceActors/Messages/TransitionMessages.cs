namespace MaintenanceActors;

/// <summary>Supervisor to resource: stop taking work and drain what is running before <paramref name="Deadline"/>.</summary>
public sealed record EnterMaintenance(long Epoch, DateTimeOffset Deadline, MaintenanceInfo? Info = null);

/// <summary>Supervisor to resource: take work again.</summary>
public sealed record ExitMaintenance(long Epoch);

/// <summary>How one resource's drain ended.</summary>
public enum DrainOutcome
{
    /// <summary>Intake stopped and nothing was left in flight.</summary>
    Drained,
    /// <summary>The deadline passed with work still in flight; intake stays stopped.</summary>
    TimedOut,
    /// <summary>A drain step threw; the resource is restarted and re-applies the desired state.</summary>
    Failed,
    /// <summary>A newer transition (e.g. an exit) replaced this one before it finished.</summary>
    Superseded,
}

/// <summary>How one resource's resume ended.</summary>
public enum ResumeOutcome
{
    /// <summary>Intake is open again.</summary>
    Resumed,
    /// <summary>Resuming threw or the resource did not answer.</summary>
    Failed,
    /// <summary>A newer transition replaced this one.</summary>
    Superseded,
}

/// <summary>Resource to supervisor: the answer to <see cref="EnterMaintenance"/>.</summary>
public sealed record DrainCompleted(
    string Resource,
    long Epoch,
    DrainOutcome Outcome,
    long InFlightAtDeadline,
    TimeSpan Duration,
    Exception? Error = null);

/// <summary>Resource to supervisor: the answer to <see cref="ExitMaintenance"/>.</summary>
public sealed record ResumeCompleted(
    string Resource,
    long Epoch,
    ResumeOutcome Outcome,
    TimeSpan Duration,
    Exception? Error = null);

/// <summary>Published by the supervisor when it sends a transition to its resources.</summary>
/// <param name="Epoch">The transition's number.</param>
/// <param name="Enabled">True for entering maintenance, false for leaving it.</param>
/// <param name="Info">Reason, author and end time of the request.</param>
/// <param name="StartedAt">When the transition was sent, on the actor system's clock.</param>
/// <param name="Deadline">The latest of the resources' drain deadlines (null when leaving, or without resources).</param>
public sealed record MaintenanceTransitionStarted(long Epoch, bool Enabled, MaintenanceInfo? Info, DateTimeOffset StartedAt, DateTimeOffset? Deadline);

/// <summary>Published by the supervisor when every resource answered one transition (or it was superseded).</summary>
/// <param name="Epoch">The transition's number; later transitions have larger epochs.</param>
/// <param name="Enabled">True for entering maintenance, false for leaving it.</param>
/// <param name="Superseded">True when a newer transition started before this one finished.</param>
/// <param name="Drains">Per-resource results when entering (empty when leaving).</param>
/// <param name="Resumes">Per-resource results when leaving (empty when entering).</param>
/// <param name="Duration">From sending the first message to the last answer.</param>
public sealed record MaintenanceTransitionCompleted(
    long Epoch,
    bool Enabled,
    bool Superseded,
    IReadOnlyList<DrainCompleted> Drains,
    IReadOnlyList<ResumeCompleted> Resumes,
    TimeSpan Duration)
{
    /// <summary>True when every resource drained (or resumed) cleanly.</summary>
    public bool Succeeded => !Superseded
        && Drains.All(d => d.Outcome == DrainOutcome.Drained)
        && Resumes.All(r => r.Outcome == ResumeOutcome.Resumed);
}
