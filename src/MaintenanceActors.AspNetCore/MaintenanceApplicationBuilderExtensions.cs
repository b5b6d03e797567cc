using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc;
using MaintenanceActors.AspNetCore.Grpc.Health;
using MaintenanceActors.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore;

/// <summary>Adds the maintenance gate to an ASP.NET Core pipeline.</summary>
public static class MaintenanceApplicationBuilderExtensions
{
    /// <summary>
    /// Counts requests and gRPC calls so drains can wait for them, and refuses them cleanly during
    /// maintenance (503 problem+json, gRPC UNAVAILABLE). Put it early, before routing and endpoints.
    /// With the gRPC drain on a <c>WebApplication</c> it also maps grpc.health.v1.Health (unless
    /// <see cref="GrpcDrainOptions.EnableHealthService"/> is off); elsewhere call <see cref="MapMaintenanceGrpcHealth"/>.
    /// Without this call the HTTP drain puts the gate first in the pipeline itself; call it to choose the place
    /// (there is still exactly one gate).
    /// </summary>
    public static IApplicationBuilder UseMaintenance(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var gates = services.GetService<RequestGates>()
            ?? throw new InvalidOperationException(
                "app.UseMaintenance() needs the HTTP drain registered: call services.AddMaintenance(m => m.AddHttpDrain()) before building the app.");
        var gate = MaintenanceMiddleware.Factory(services, gates);
        if (services.GetService<GrpcCallGate>() is not null
            && services.GetRequiredService<IOptions<GrpcDrainOptions>>().Value.EnableHealthService
            && app is IEndpointRouteBuilder endpoints)
        {
            endpoints.MapMaintenanceGrpcHealth();
        }

        // The gate is placed here: the startup filter that puts one first in the pipeline for apps that forgot it stands down.
        services.GetService<MaintenanceGatePlacement>()?.PlacedByApplication();
        return app.Use(gate);
    }

    /// <summary>
    /// Maps grpc.health.v1.Health (Check, Watch) as the gRPC drain drives it: SERVING, NOT_SERVING during
    /// maintenance, and Watch streams ended when the host stops. <c>UseMaintenance()</c> already does this on a
    /// <c>WebApplication</c>; call it yourself inside <c>UseEndpoints</c> otherwise. Mapping twice is a no-op.
    /// </summary>
    public static IEndpointRouteBuilder MapMaintenanceGrpcHealth(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var mapping = endpoints.ServiceProvider.GetService<GrpcHealthMapping>()
            ?? throw new InvalidOperationException(
                "MapMaintenanceGrpcHealth() needs the gRPC drain registered: call services.AddMaintenance(m => m.AddGrpcDrain()) before building the app.");
        if (mapping.TryClaim())
        {
            endpoints.MapGrpcService<GrpcHealthBoard>();
        }

        return endpoints;
    }
}
