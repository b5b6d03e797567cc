namespace MaintenanceActors;

/// <summary>An invalid maintenance option; the message names the field (e.g. Maintenance:Etcd:Endpoints) and what to do.</summary>
public sealed class MaintenanceConfigurationException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="field"/>.</summary>
    public MaintenanceConfigurationException(string field, string message)
        : base($"{field} {message}")
    {
        Field = field;
    }

    /// <summary>The configuration path of the offending field.</summary>
    public string Field { get; }
}
