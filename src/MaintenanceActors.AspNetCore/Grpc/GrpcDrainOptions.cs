namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>How the gRPC drain refuses and ends calls during maintenance, and what the health service reports.</summary>
public sealed class GrpcDrainOptions
{
    /// <summary>Full method paths (/package.Service/Method) never refused nor counted. Default: none.</summary>
    public ISet<string> SkipMethods { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Serve grpc.health.v1.Health (Check, Watch). Default: true.</summary>
    public bool EnableHealthService { get; set; } = true;

    /// <summary>Service names the health service knows besides "" (the whole server), e.g. "users.UserService". Default: none.</summary>
    public ISet<string> HealthServiceNames { get; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>The grpc-message of a refused call (the maintenance reason is appended). Default: "Service in maintenance".</summary>
    public string UnavailableMessage { get; set; } = "Service in maintenance";

    /// <summary>
    /// When calls still running (long-lived streams) are ended with UNAVAILABLE, counted from the moment intake stops.
    /// Null ends them at the drain deadline. Default: null.
    /// </summary>
    public TimeSpan? EndCallsAfter { get; set; }

    /// <summary>
    /// Readiness first: how long the health service already reports NOT_SERVING while calls are still accepted. Default: zero.
    /// </summary>
    public TimeSpan ReadinessDelay { get; set; } = TimeSpan.Zero;

    /// <summary>The resource name in reports, stats and health (also the actor name). Default: "grpc".</summary>
    public string ResourceName { get; set; } = "grpc";

    /// <summary>This drain's deadline; null uses the coordinator's MaintenanceOptions.DrainTimeout. Default: null.</summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>Throws <see cref="MaintenanceConfigurationException"/> naming the first field that cannot work and what to do.</summary>
    public void Validate(string section = "Maintenance:Grpc")
    {
        foreach (var method in SkipMethods)
        {
            if (string.IsNullOrEmpty(method) || method[0] != '/' || method.IndexOf('/', 1) < 0)
            {
                throw new MaintenanceConfigurationException($"{section}:SkipMethods", $"entry '{method}' must be a full method path like /package.Service/Method");
            }
        }

        if (EndCallsAfter is { } end && end < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:EndCallsAfter", "must be zero or positive, or null to end calls at the drain deadline");
        }

        if (ReadinessDelay < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:ReadinessDelay", "must be zero or positive (e.g. 00:00:05 for clients re-resolving every 2 s)");
        }

        if (DrainTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:DrainTimeout", "must be positive (e.g. 00:00:30), or null for the coordinator's default");
        }

        if (string.IsNullOrWhiteSpace(UnavailableMessage))
        {
            throw new MaintenanceConfigurationException($"{section}:UnavailableMessage", "must not be empty");
        }

        if (string.IsNullOrWhiteSpace(ResourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:ResourceName", "must not be empty (e.g. grpc)");
        }
    }
}
