using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using MaintenanceActors.AspNetCore.Grpc;
using MaintenanceActors.AspNetCore.Tests.Fixtures.Protos;
using Microsoft.AspNetCore.Builder;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>A Grpc.AspNetCore app behind UseMaintenance: an echo service, a streaming ticker and a skipped admin method (Protos/test.proto).</summary>
internal static class GrpcTestApp
{
    public const string Say = "/test.Echo/Say";
    public const string Ticks = "/test.Echo/Ticks";
    public const string Ping = "/test.Admin/Ping";

    public static Task<GatedServer> StartAsync() => GatedServer.StartAsync(
        services => services.AddGrpcGate(o =>
        {
            o.SkipMethods.Add(Ping);
            o.HealthServiceNames.Add("test.Echo");
        }),
        app =>
        {
            app.UseMaintenance();
            MapServices(app);
        });

    /// <summary>Maps test.Echo and test.Admin (the caller registers the drain and calls UseMaintenance).</summary>
    public static void MapServices(WebApplication app)
    {
        app.MapGrpcService<EchoService>();
        app.MapGrpcService<AdminService>();
    }

    private sealed class EchoService : Echo.EchoBase
    {
        public override Task<StringValue> Say(StringValue request, ServerCallContext context) =>
            Task.FromResult(new StringValue { Value = "echo:" + request.Value });

        public override async Task<StringValue> Wait(StringValue request, ServerCallContext context)
        {
            await Task.Delay(Timeout.Infinite, context.CancellationToken);
            return request;
        }

        /// <summary>Streams ticks until the call is cancelled; it stops on the call's token like a well-behaved subscription.</summary>
        public override async Task Ticks(StringValue request, IServerStreamWriter<StringValue> responseStream, ServerCallContext context)
        {
            using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
            for (int tick = 0; ; tick++)
            {
                await responseStream.WriteAsync(new StringValue { Value = $"{request.Value}#{tick}" }, context.CancellationToken);
                await ticker.WaitForNextTickAsync(context.CancellationToken);
            }
        }
    }

    private sealed class AdminService : Admin.AdminBase
    {
        public override Task<StringValue> Ping(StringValue request, ServerCallContext context) => Task.FromResult(new StringValue { Value = "pong" });
    }
}
