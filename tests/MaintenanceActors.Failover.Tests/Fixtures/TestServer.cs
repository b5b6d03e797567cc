using System.Net;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Tests.Fixtures;

/// <summary>
/// A real Kestrel server on 127.0.0.1 that can be stopped and started again on the same port: HTTP with a settable
/// /health status (recording what each health request carried) and /work, or h2c gRPC with grpc.health.v1.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly bool _grpc;
    private WebApplication? _app;

    private TestServer(bool grpc, int port)
    {
        _grpc = grpc;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The status /health answers (HTTP servers).</summary>
    public int HealthStatus { get; set; } = 200;

    /// <summary>The last health request: method, the X-Probe header and the body.</summary>
    public (string Method, string? Probe, string Body)? LastHealthRequest { get; private set; }

    public int WorkCalls;

    public HealthServiceImpl GrpcHealth { get; } = new();

    public static async Task<TestServer> StartHttpAsync()
    {
        var server = new TestServer(false, FreePort.Get());
        await server.StartAsync();
        return server;
    }

    public static async Task<TestServer> StartGrpcAsync()
    {
        var server = new TestServer(true, FreePort.Get());
        server.GrpcHealth.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        await server.StartAsync();
        return server;
    }

    public ServiceEndpoint Endpoint(string id, HealthCheckSpec? check = null) =>
        new($"svc/{id}", "svc", "127.0.0.1", Port) { Protocol = _grpc ? "grpc" : "http", HealthCheck = check };

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, Port, l => l.Protocols = _grpc ? HttpProtocols.Http2 : HttpProtocols.Http1AndHttp2));
        if (_grpc)
        {
            builder.Services.AddGrpc();
            builder.Services.AddSingleton(GrpcHealth);
        }
        var app = builder.Build();
        if (_grpc)
        {
            app.MapGrpcService<HealthServiceImpl>();
        }
        else
        {
            app.Map("/health", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                LastHealthRequest = (context.Request.Method, context.Request.Headers["X-Probe"].FirstOrDefault(), await reader.ReadToEndAsync());
                return Results.StatusCode(HealthStatus);
            });
            app.MapGet("/work", () =>
            {
                Interlocked.Increment(ref WorkCalls);
                return Results.Text($"served by {Port}");
            });
        }
        await app.StartAsync();
        _app = app;
    }

    public async Task StopAsync()
    {
        if (_app is { } app)
        {
            _app = null;
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    public ValueTask DisposeAsync() => new(StopAsync());
}
