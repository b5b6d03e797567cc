namespace MaintenanceActors;

/// <summary>Health of one component, mapped to ASP.NET Core health-check statuses.</summary>
public enum ComponentHealth
{
    /// <summary>Working as expected.</summary>
    Healthy,
    /// <summary>Working, but something needs attention.</summary>
    Degraded,
    /// <summary>Not working.</summary>
    Unhealthy,
}

/// <summary>Where a resource is in its lifecycle.</summary>
public enum ResourceState
{
    /// <summary>Taking work.</summary>
    Running,
    /// <summary>Intake stopped (or about to), waiting for in-flight work.</summary>
    Draining,
    /// <summary>Intake stopped; drained or timed out.</summary>
    InMaintenance,
    /// <summary>Opening intake again.</summary>
    Resuming,
}

/// <summary>A resource's health as it reports it.</summary>
public sealed record ResourceHealth(string Resource, ComponentHealth Status, string? Detail = null);

/// <summary>A resource's counters and state, answered at once in every state.</summary>
/// <param name="Resource">The resource name.</param>
/// <param name="State">Lifecycle state.</param>
/// <param name="InFlight">Work running now.</param>
/// <param name="Epoch">Epoch of the last transition the resource saw.</param>
/// <param name="LastDrainOutcome">How the last drain ended, if any.</param>
/// <param name="LastDrainDuration">How long the last drain took, if any.</param>
/// <param name="Counters">Resource-specific counters (served, refused, ...).</param>
public sealed record ResourceStats(
    string Resource,
    ResourceState State,
    long InFlight,
    long Epoch,
    DrainOutcome? LastDrainOutcome,
    TimeSpan? LastDrainDuration,
    IReadOnlyDictionary<string, long> Counters);

/// <summary>A source's connection health: pushed as <see cref="SourceHealthChanged"/> and answered to <see cref="GetHealth"/>.</summary>
/// <param name="Source">The source name.</param>
/// <param name="Status">Healthy when connected and up to date.</param>
/// <param name="Connected">True while the source receives updates.</param>
/// <param name="ReconnectingSince">When the current outage began; null when connected.</param>
/// <param name="LastRevision">The last revision seen (etcd revision, file change counter).</param>
/// <param name="LastError">The last error, in words, if any.</param>
/// <param name="Warnings">Recent warnings, e.g. malformed values (newest last, bounded).</param>
public sealed record SourceHealth(
    string Source,
    ComponentHealth Status,
    bool Connected,
    DateTimeOffset? ReconnectingSince,
    long LastRevision,
    string? LastError,
    IReadOnlyList<string> Warnings)
{
    /// <summary>A source that has not connected yet.</summary>
    public static SourceHealth Starting(string source) =>
        new(source, ComponentHealth.Unhealthy, false, null, 0, null, Array.Empty<string>());
}

/// <summary>Resource to supervisor (and published): the resource's health changed.</summary>
public sealed record ResourceHealthChanged(ResourceHealth Health);

/// <summary>Published by a source when its health changed.</summary>
public sealed record SourceHealthChanged(SourceHealth Health);

/// <summary>One source's current opinion, as the supervisor last saw it.</summary>
public sealed record SourceVote(string Source, string Key, bool Enabled, MaintenanceInfo? Info, long Revision, DateTimeOffset ObservedAt)
{
    /// <summary>True when this vote asks for maintenance at <paramref name="now"/>: it is on and its <c>until</c>, if any, lies ahead.</summary>
    public bool IsActiveAt(DateTimeOffset now) => Enabled && (Info?.Until is not { } until || now < until);
}

/// <summary>The supervisor's answer to <see cref="GetMaintenanceStatus"/>.</summary>
/// <param name="InMaintenance">The desired state: true while any source asks for maintenance.</param>
/// <param name="Epoch">The latest transition's epoch.</param>
/// <param name="TransitionInProgress">True while resources are still answering the latest transition.</param>
/// <param name="AppliedEnabled">The state of the last completed, non-superseded transition.</param>
/// <param name="Votes">Each source's current value (one whose <c>until</c> has passed shows as off); every source that says "on" lists its reason here.</param>
/// <param name="LastTransition">The last completed transition, if any.</param>
public sealed record MaintenanceStatus(
    bool InMaintenance,
    long Epoch,
    bool TransitionInProgress,
    bool AppliedEnabled,
    IReadOnlyList<SourceVote> Votes,
    MaintenanceTransitionCompleted? LastTransition)
{
    /// <summary>Reasons given by the sources that currently ask for maintenance.</summary>
    public IReadOnlyList<string> Reasons =>
        Votes.Where(v => v.Enabled).Select(v => $"{v.Source}:{v.Key}: {v.Info?.Reason ?? "(no reason given)"}").ToArray();
}

/// <summary>The supervisor's answer to <see cref="GetHealth"/>: every resource and every source.</summary>
public sealed record MaintenanceHealthReport(
    bool InMaintenance,
    IReadOnlyDictionary<string, ResourceHealth> Resources,
    IReadOnlyDictionary<string, SourceHealth> Sources)
{
    /// <summary>The worst status over resources and sources.</summary>
    public ComponentHealth Overall =>
        Resources.Values.Select(r => r.Status).Concat(Sources.Values.Select(s => s.Status))
            .DefaultIfEmpty(ComponentHealth.Healthy).Max();
}
