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
    /// </summary>
    public static IApplicationBuilder UseMaintenance(this IApplicationBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var services = app.ApplicationServices;
        var gates = services.GetService<RequestGates>()
            ?? throw new InvalidOperationException(
                "app.UseMaintenance() needs the HTTP drain registered: call services.AddMaintenance(m => m.AddHttpDrain()) before building the app.");
        var httpOptions = services.GetRequiredService<IOptions<HttpDrainOptions>>().Value;
        httpOptions.Validate();
        var grpc = services.GetService<GrpcCallGate>();
        var grpcOptions = grpc is null ? new GrpcDrainOptions() : services.GetRequiredService<IOptions<GrpcDrainOptions>>().Value;
        grpcOptions.Validate();
        var timeProvider = services.GetService<TimeProvider>() ?? TimeProvider.System;
        // Resolving the coordinator binds and validates every maintenance option now, so a bad setting stops the
        // application before it listens instead of when the actor system starts.
        _ = services.GetService<IMaintenance>();
        var grpcMessage = grpcOptions.UnavailableMessage;

        if (grpc is not null && grpcOptions.EnableHealthService && app is IEndpointRouteBuilder endpoints)
        {
            endpoints.MapMaintenanceGrpcHealth();
        }

        return app.Use(next => new MaintenanceMiddleware(next, gates, httpOptions, timeProvider, grpc, grpcMessage).InvokeAsync);
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
