using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc;
using MaintenanceActors.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore;

/// <summary>Adds the maintenance gate to an ASP.NET Core pipeline.</summary>
public static class MaintenanceApplicationBuilderExtensions
{
    /// <summary>
    /// Counts requests and gRPC calls so drains can wait for them, and refuses them cleanly during
    /// maintenance (503 problem+json, gRPC UNAVAILABLE). Put it early, before routing and endpoints.
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

        return app.Use(next => new MaintenanceMiddleware(next, gates, httpOptions, timeProvider, grpc, grpcMessage).InvokeAsync);
    }
}
