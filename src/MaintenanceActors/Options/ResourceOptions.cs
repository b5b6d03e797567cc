namespace MaintenanceActors;

/// <summary>Per-resource settings given to <c>AddResource</c>.</summary>
public sealed class ResourceOptions
{
    /// <summary>This resource's drain deadline; null uses <see cref="MaintenanceOptions.DrainTimeout"/>.</summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>Checks every field; throws <see cref="MaintenanceConfigurationException"/> naming the first bad one.</summary>
    public void Validate(string resource)
    {
        if (DrainTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"Maintenance:Resources:{resource}:DrainTimeout", $"must be positive (e.g. 00:00:30), but was {timeout}");
        }
    }
}
