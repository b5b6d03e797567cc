namespace MaintenanceActors;

/// <summary>A parsed maintenance value: on/off, optional metadata, scheduled windows, and a warning when the input was malformed.</summary>
/// <remarks>
/// A malformed value (<see cref="IsMalformed"/>) changes nothing: sources keep the last known state and report it. A value with
/// windows has <see cref="Enabled"/> false and its windows in <see cref="Schedule"/>: the schedule source turns maintenance on
/// inside them.
/// </remarks>
public sealed record MaintenanceValue(bool Enabled, MaintenanceInfo? Info, string? Warning, MaintenanceSchedule? Schedule = null)
{
    /// <summary>Off, without warning.</summary>
    public static readonly MaintenanceValue Off = new(false, null, null);

    /// <summary>True when the input could not be read (bad JSON, a bad field, not UTF-8); <see cref="Warning"/> says why.</summary>
    public bool IsMalformed => Warning is not null;
}
