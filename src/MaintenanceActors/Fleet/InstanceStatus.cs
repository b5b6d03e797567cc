namespace MaintenanceActors.Fleet;

/// <summary>
/// One instance's status as published under <c>/maintenance-status/&lt;service&gt;/&lt;id&gt;</c> on the instance's lease; read by
/// maintctl and the dashboard (<see cref="InstanceStatusJson"/> writes and reads it). Times are UTC; null means unknown.
/// </summary>
/// <param name="Service">The service the instance belongs to.</param>
/// <param name="Instance">The instance id.</param>
/// <param name="Host">The host it runs on.</param>
/// <param name="Version">The application's version, if known.</param>
/// <param name="Epoch">The number of the latest transition (0 before the first).</param>
/// <param name="Phase">One of <see cref="InstancePhases"/>: serving, draining, drained, timed-out, resuming.</param>
/// <param name="InMaintenance">True while any source asks for maintenance.</param>
/// <param name="Reason">Why, from the value that put the instance in maintenance.</param>
/// <param name="By">Who asked for it.</param>
/// <param name="Until">When that request ends by itself.</param>
/// <param name="Source">What asked for it: service, instance, window, shutdown (or another source's name).</param>
/// <param name="InFlight">Work still running across the resources.</param>
/// <param name="DrainStartedAt">When the current (or last) drain started.</param>
/// <param name="DrainDurationMs">How long it has run (while draining) or took.</param>
/// <param name="DrainDeadline">The latest deadline of the current (or last) drain.</param>
/// <param name="Resources">Each resource's state.</param>
/// <param name="UpdatedAt">When this status was written.</param>
public sealed record InstanceStatus(
    string Service,
    string Instance,
    string? Host,
    string? Version,
    long Epoch,
    string Phase,
    bool InMaintenance,
    string? Reason,
    string? By,
    DateTimeOffset? Until,
    string? Source,
    long? InFlight,
    DateTimeOffset? DrainStartedAt,
    long? DrainDurationMs,
    DateTimeOffset? DrainDeadline,
    IReadOnlyList<InstanceResourceStatus> Resources,
    DateTimeOffset UpdatedAt);

/// <summary>One resource inside an <see cref="InstanceStatus"/>.</summary>
/// <param name="Name">The resource name (e.g. http).</param>
/// <param name="State">serving, draining, drained, timed-out, failed or resuming.</param>
/// <param name="Outcome">How its last drain ended (drained, timed-out, failed, superseded), null while draining or before any.</param>
/// <param name="InFlight">Its work still running.</param>
public sealed record InstanceResourceStatus(string Name, string State, string? Outcome, long InFlight);

/// <summary>The values of <see cref="InstanceStatus.Phase"/>.</summary>
public static class InstancePhases
{
    /// <summary>Taking work.</summary>
    public const string Serving = "serving";
    /// <summary>Intake stopped; waiting for in-flight work.</summary>
    public const string Draining = "draining";
    /// <summary>Every resource drained.</summary>
    public const string Drained = "drained";
    /// <summary>In maintenance, but a resource reached its deadline (or failed) with work in flight.</summary>
    public const string TimedOut = "timed-out";
    /// <summary>Leaving maintenance: resources are opening intake again.</summary>
    public const string Resuming = "resuming";
}

/// <summary>The values of <see cref="InstanceStatus.Source"/> besides other sources' names.</summary>
public static class InstanceStatusSources
{
    /// <summary>The service-wide key.</summary>
    public const string Service = "service";
    /// <summary>The instance's own key.</summary>
    public const string Instance = "instance";
    /// <summary>A scheduled window.</summary>
    public const string Window = "window";
    /// <summary>The host is stopping.</summary>
    public const string Shutdown = "shutdown";
}
