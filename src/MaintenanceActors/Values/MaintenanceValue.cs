namespace MaintenanceActors;

/// <summary>A parsed maintenance value: on/off, optional metadata, and a warning when the input was malformed.</summary>
/// <remarks>A malformed value (<see cref="IsMalformed"/>) changes nothing: sources keep the last known state and report it.</remarks>
public sealed record MaintenanceValue(bool Enabled, MaintenanceInfo? Info, string? Warning)
{
    /// <summary>Off, without warning.</summary>
    public static readonly MaintenanceValue Off = new(false, null, null);

    /// <summary>True when the input could not be read (bad JSON, a bad field, not UTF-8); <see cref="Warning"/> says why.</summary>
    public bool IsMalformed => Warning is not null;
}
