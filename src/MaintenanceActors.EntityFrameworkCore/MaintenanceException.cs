namespace MaintenanceActors;

/// <summary>Thrown when work is refused because the service is in maintenance (e.g. opening a database connection).</summary>
public sealed class MaintenanceException : InvalidOperationException
{
    /// <summary>Creates the exception for <paramref name="resource"/>, carrying the maintenance reason when one was given.</summary>
    public MaintenanceException(string resource, string message, string? reason = null)
        : base(reason is null ? message : $"{message} (reason: {reason})")
    {
        Resource = resource;
        Reason = reason;
    }

    /// <summary>The resource that refused (e.g. "db").</summary>
    public string Resource { get; }

    /// <summary>Why maintenance was asked for, if the operator said.</summary>
    public string? Reason { get; }
}
