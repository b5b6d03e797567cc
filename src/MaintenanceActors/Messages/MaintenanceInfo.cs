namespace MaintenanceActors;

/// <summary>Why, by whom and until when maintenance was requested (all optional).</summary>
public sealed record MaintenanceInfo(string? Reason = null, string? By = null, DateTimeOffset? Until = null)
{
    /// <summary>No metadata.</summary>
    public static readonly MaintenanceInfo None = new();
}
