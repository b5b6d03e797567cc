namespace MaintenanceActors;

/// <summary>A parsed maintenance value: on/off, optional metadata, and a warning when the input was malformed.</summary>
public sealed record MaintenanceValue(bool Enabled, MaintenanceInfo? Info, string? Warning)
{
    /// <summary>Off, without warning.</summary>
    public static readonly MaintenanceValue Off = new(false, null, null);
}
