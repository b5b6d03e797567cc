namespace MaintenanceActors.EntityFrameworkCore;

/// <summary>How the database drain gates connections during maintenance and checks the database's health.</summary>
public sealed class DbPoolOptions
{
    /// <summary>The resource name in reports, stats and health (also the actor name). Default: "db".</summary>
    public string ResourceName { get; set; } = "db";

    /// <summary>
    /// Connections the service may still hold during maintenance (e.g. 1 for a job that must keep one open).
    /// The drain waits until at most this many are in use. Default: 0.
    /// </summary>
    public int Allowance { get; set; }

    /// <summary>
    /// How long an open during maintenance beyond the allowance waits for maintenance to end or a connection to be
    /// given back before it fails with <see cref="MaintenanceException"/>. Zero fails at once. Default: zero.
    /// </summary>
    public TimeSpan OpenWaitTimeout { get; set; } = TimeSpan.Zero;

    /// <summary>This drain's deadline; null uses the coordinator's MaintenanceOptions.DrainTimeout. Default: null.</summary>
    public TimeSpan? DrainTimeout { get; set; }

    /// <summary>How often the database is checked with a round trip outside maintenance. Default: 10 s.</summary>
    public TimeSpan HealthCheckInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long one health round trip (open + query) may take before the database counts as unhealthy. Default: 3 s.</summary>
    public TimeSpan HealthCheckTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The health round trip's SQL. Default: "SELECT 1".</summary>
    public string HealthCheckQuery { get; set; } = "SELECT 1";

    /// <summary>
    /// The pool's name in Npgsql's meter (<c>db.client.connection.pool.name</c>), read into the stats as pool_idle, pool_used,
    /// pool_max and pool_pending. Null uses the data source's connection string, which is Npgsql's name for a pool unless
    /// <c>NpgsqlDataSourceBuilder.Name</c> was set (then set this to the same name). Default: null.
    /// </summary>
    public string? NpgsqlPoolName { get; set; }

    /// <summary>Throws <see cref="MaintenanceConfigurationException"/> naming the first field that cannot work and what to do.</summary>
    public void Validate(string section = "Maintenance:Db")
    {
        if (string.IsNullOrWhiteSpace(ResourceName))
        {
            throw new MaintenanceConfigurationException($"{section}:ResourceName", "must not be empty (e.g. db)");
        }
        if (Allowance < 0)
        {
            throw new MaintenanceConfigurationException($"{section}:Allowance", $"must be zero or positive (connections kept during maintenance), but was {Allowance}");
        }
        if (OpenWaitTimeout < TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:OpenWaitTimeout", $"must be zero (fail at once) or positive (e.g. 00:00:05), but was {OpenWaitTimeout}");
        }
        if (DrainTimeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:DrainTimeout", "must be positive (e.g. 00:00:30), or null for the coordinator's default");
        }
        if (HealthCheckInterval <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:HealthCheckInterval", $"must be positive (e.g. 00:00:10), but was {HealthCheckInterval}");
        }
        if (HealthCheckTimeout <= TimeSpan.Zero)
        {
            throw new MaintenanceConfigurationException($"{section}:HealthCheckTimeout", $"must be positive (e.g. 00:00:03), but was {HealthCheckTimeout}");
        }
        if (string.IsNullOrWhiteSpace(HealthCheckQuery))
        {
            throw new MaintenanceConfigurationException($"{section}:HealthCheckQuery", "must not be empty (e.g. SELECT 1)");
        }
    }
}
