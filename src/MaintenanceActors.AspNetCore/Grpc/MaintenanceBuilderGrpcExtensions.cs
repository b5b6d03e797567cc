using MaintenanceActors.AspNetCore.Grpc;

namespace MaintenanceActors.AspNetCore;

/// <summary>Adds the gRPC drain and the grpc.health.v1 service to <c>services.AddMaintenance(m => ...)</c>.</summary>
public static class MaintenanceBuilderGrpcExtensions
{
    /// <summary>
    /// Drains gRPC calls during maintenance (new calls get UNAVAILABLE, running ones finish or are ended
    /// at the deadline) and serves grpc.health.v1.Health. Also call <c>app.UseMaintenance()</c>.
    /// </summary>
    public static MaintenanceBuilder AddGrpcDrain(this MaintenanceBuilder maintenance, Action<GrpcDrainOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(maintenance);
        var options = new GrpcDrainOptions();
        configure?.Invoke(options);
        options.Validate();

        maintenance.Services.AddGrpcGate(configure);
        return maintenance.AddResource<GrpcDrainActor>(options.ResourceName, r => r.DrainTimeout = options.DrainTimeout);
    }
}
