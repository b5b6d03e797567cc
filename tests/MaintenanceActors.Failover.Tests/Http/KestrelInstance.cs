using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.HealthCheck;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Tests.Http;

/// <summary>
/// A real Kestrel app on 127.0.0.1 (HTTP/1.1, or h2c only for gRPC: Kestrel speaks h2c only on an HTTP/2-only endpoint) answering <c>GET /items</c> with its name, and grpc.health.v1 Check.
/// It can refuse everything (503 / UNAVAILABLE), or drain with the real HTTP gate when its etcd maintenance key is on.
/// </summary>
internal sealed class KestrelInstance : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _hits;

    private KestrelInstance(WebApplication app, string name, int port)
    {
        _app = app;
        Name = name;
        Port = port;
    }

    public string Name { get; }

    public int Port { get; }

    /// <summary>Requests that reached the app's handlers (refused ones included when <see cref="Refuse"/> is set).</summary>
    public int Hits => Volatile.Read(ref _hits);

    /// <summary>While true every request is answered 503 and every gRPC call UNAVAILABLE.</summary>
    public bool Refuse { get; set; }

    public ServiceEndpoint Endpoint(string service, string protocol = "http") => new($"{service}/{Name}", service, "127.0.0.1", Port) { Protocol = protocol };

    /// <param name="name">Answered by <c>GET /items</c>.</param>
    /// <param name="etcd">With a maintenance key, the app drains through the real HTTP gate while the key is on.</param>
    /// <param name="grpc">Listen with HTTP/2 only (prior knowledge), for gRPC clients.</param>
    public static async Task<KestrelInstance> StartAsync(string name, EtcdServer? etcd = null, string? maintenanceKey = null, bool grpc = false)
    {
        var port = FreePort.Get();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        builder.Services.AddGrpc();
        builder.Services.AddSingleton<HealthServiceImpl>();
        if (etcd is not null)
        {
            builder.Services.AddMaintenance(m => m
                .UseEtcd(o =>
                {
                    o.Endpoints = [etcd.Endpoint];
                    o.Key = maintenanceKey!;
                })
                .AddHttpDrain());
        }
        var app = builder.Build();
        app.Services.GetRequiredService<HealthServiceImpl>().SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        var instance = new KestrelInstance(app, name, port);
        if (etcd is not null)
        {
            app.UseMaintenance();
        }
        app.Use(async (context, next) =>
        {
            Interlocked.Increment(ref instance._hits);
            if (instance.Refuse && context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) != true)
            {
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }
            if (instance.Refuse)
            {
                // What the gRPC drain answers: trailers-only UNAVAILABLE.
                context.Response.ContentType = "application/grpc";
                context.Response.Headers["grpc-status"] = "14";
                context.Response.Headers["grpc-message"] = "refusing";
                return;
            }
            await next(context);
        });
        app.MapGet("/items", () => Results.Text(name));
        app.MapPost("/items", async (HttpRequest request) => Results.Text($"{name}:{await new StreamReader(request.Body).ReadToEndAsync()}"));
        app.MapGrpcService<HealthServiceImpl>();
        await app.StartAsync();
        return instance;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
