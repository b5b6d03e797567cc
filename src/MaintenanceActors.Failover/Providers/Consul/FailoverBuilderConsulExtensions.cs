namespace MaintenanceActors.Failover.Providers;

/// <summary>Adds the Consul health provider to <c>services.AddFailover(f => ...)</c>.</summary>
public static class FailoverBuilderConsulExtensions
{
    /// <summary>
    /// Endpoints from Consul's health API for <see cref="ConsulHealthOptions.Services"/> (provider <c>consul</c>): instances with
    /// a critical check leave, instances under <c>consul maint</c> stay registered but in maintenance.
    /// </summary>
    public static FailoverBuilder UseConsul(this FailoverBuilder builder, Action<ConsulHealthOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(configure);
        var options = new ConsulHealthOptions();
        configure(options);
        options.Validate();
        return builder.AddProvider("consul", (_, registry) =>
            ConsulHealthProvider.Props(registry, options, new HttpClient { Timeout = options.Wait + TimeSpan.FromSeconds(15) }));
    }
}
