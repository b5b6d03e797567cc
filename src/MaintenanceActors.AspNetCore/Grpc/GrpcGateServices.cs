using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc.Health;
using MaintenanceActors.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>Registers what the middleware needs for gRPC: the call gate, the health board and service.</summary>
internal static class GrpcGateServices
{
    public static IServiceCollection AddGrpcGate(this IServiceCollection services, Action<GrpcDrainOptions>? configure = null)
    {
        services.AddHttpGate();
        var options = services.AddOptions<GrpcDrainOptions>();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddSingleton(sp => new GrpcHealthBoard(Options(sp).HealthServiceNames));
        services.TryAddSingleton(sp => new GrpcHealthService(
            sp.GetRequiredService<GrpcHealthBoard>(),
            sp.GetService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ILogger<GrpcHealthService>>()));
        services.TryAddSingleton(sp => new GrpcCallGate(
            sp.GetRequiredService<RequestGates>(),
            Options(sp),
            Options(sp).EnableHealthService ? sp.GetRequiredService<GrpcHealthService>() : null));
        return services;
    }

    private static GrpcDrainOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<GrpcDrainOptions>>().Value;
}
