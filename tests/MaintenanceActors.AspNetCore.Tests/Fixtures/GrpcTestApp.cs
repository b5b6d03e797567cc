using Google.Protobuf.WellKnownTypes;
using MaintenanceActors.AspNetCore.Grpc;
using MaintenanceActors.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>A hand-served gRPC app behind UseMaintenance: an echo service, a streaming ticker and a skipped admin method.</summary>
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
            app.MapPost(Say, ctx => UnaryAsync(ctx, text => "echo:" + text));
            app.MapPost(Ping, ctx => UnaryAsync(ctx, _ => "pong"));
            app.MapPost(Ticks, TicksAsync);
        });

    private static async Task UnaryAsync(HttpContext context, Func<string, string> reply)
    {
        var request = await GrpcResponses.ReadRequestAsync(context, StringValue.Parser);
        if (request is null)
        {
            return;
        }

        GrpcResponses.StartResponse(context.Response);
        await GrpcResponses.WriteMessageAsync(context, new StringValue { Value = reply(request.Value) }, context.RequestAborted);
        GrpcResponses.SetStatus(context, GrpcStatusCode.OK, null);
    }

    /// <summary>Streams ticks until the call is cancelled, like a long-lived subscription; it stops on RequestAborted.</summary>
    private static async Task TicksAsync(HttpContext context)
    {
        var request = await GrpcResponses.ReadRequestAsync(context, StringValue.Parser);
        if (request is null)
        {
            return;
        }

        GrpcResponses.StartResponse(context.Response);
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(20));
        for (int tick = 0; ; tick++)
        {
            await GrpcResponses.WriteMessageAsync(context, new StringValue { Value = $"{request.Value}#{tick}" }, context.RequestAborted);
            await ticker.WaitForNextTickAsync(context.RequestAborted);
        }
    }
}
