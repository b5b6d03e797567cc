using MaintenanceActors.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore;

/// <summary>Adds the HTTP drain to <c>services.AddMaintenance(m => ...)</c>.</summary>
public static class MaintenanceBuilderHttpExtensions
{
    /// <summary>
    /// Drains HTTP requests during maintenance: requests that got in finish, new ones get a 503
    /// problem+json. The gate goes first in the pipeline by itself; call <c>app.UseMaintenance()</c> to place it
    /// yourself (early, before routing and endpoints).
    /// </summary>
    public static MaintenanceBuilder AddHttpDrain(this MaintenanceBuilder maintenance, Action<HttpDrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(maintenance);

        // Validated now so a bad value fails at registration, naming the field, not at the first maintenance.
        var options = new HttpDrainOptions();
        configure?.Invoke(options);
        options.Validate();

        maintenance.Services.AddHttpGate(configure);
        return maintenance.AddResource<HttpDrainActor>(options.ResourceName, r => r.DrainTimeout = options.DrainTimeout);
    }
}
