using Grpc.AspNetCore.Server;
using MaintenanceActors.AspNetCore.Grpc.Health;
using MaintenanceActors.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// Registers what the gRPC drain needs: Grpc.AspNetCore (AddGrpc) with the drain's interceptor on every
/// service, the call gate, and the health board that serves grpc.health.v1.
/// </summary>
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

        services.AddGrpc();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<GrpcServiceOptions>, GrpcDrainServiceOptionsSetup>());
        services.TryAddSingleton<GrpcDrainInterceptor>();
        services.TryAddSingleton<GrpcHealthMapping>();
        services.TryAddSingleton(sp => new GrpcHealthBoard(
            Options(sp).HealthServiceNames,
            sp.GetService<IHostApplicationLifetime>(),
            sp.GetRequiredService<ILogger<GrpcHealthBoard>>()));
        services.TryAddSingleton(sp => new GrpcCallGate(sp.GetRequiredService<Gate.RequestGates>(), Options(sp)));
        return services;
    }

    private static GrpcDrainOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<GrpcDrainOptions>>().Value;

    /// <summary>Puts the drain's interceptor on every Grpc.AspNetCore service (once, however often AddGrpcDrain runs).</summary>
    private sealed class GrpcDrainServiceOptionsSetup : IConfigureOptions<GrpcServiceOptions>
    {
        public void Configure(GrpcServiceOptions options) => options.Interceptors.Add<GrpcDrainInterceptor>();
    }
}

/// <summary>Remembers whether grpc.health.v1 is mapped, so UseMaintenance and MapMaintenanceGrpcHealth never map it twice.</summary>
internal sealed class GrpcHealthMapping
{
    private int _mapped;

    public bool TryClaim() => Interlocked.Exchange(ref _mapped, 1) == 0;
}
