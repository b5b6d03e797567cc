using System.Net;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc.Health;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>A real Kestrel server on 127.0.0.1 with free ports: one HTTP/1.x endpoint and one h2c (HTTP/2 prior knowledge) endpoint.</summary>
internal sealed class GatedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _stopped;

    private GatedServer(WebApplication app, Uri http1, Uri http2)
    {
        _app = app;
        Http1 = http1;
        Http2 = http2;
    }

    public Uri Http1 { get; }

    public Uri Http2 { get; }

    /// <summary>host:port of the h2c endpoint, as grpcio wants it.</summary>
    public string GrpcTarget => $"{Http2.Host}:{Http2.Port}";

    public IServiceProvider Services => _app.Services;

    public RequestGates Gates => _app.Services.GetRequiredService<RequestGates>();

    public GrpcHealthBoard HealthBoard => _app.Services.GetRequiredService<GrpcHealthBoard>();

    public static async Task<GatedServer> StartAsync(Action<IServiceCollection> configureServices, Action<WebApplication> configureApp)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http1);
            kestrel.Listen(IPAddress.Loopback, 0, o => o.Protocols = HttpProtocols.Http2);
        });
        configureServices(builder.Services);
        var app = builder.Build();
        configureApp(app);
        await app.StartAsync();

        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a)).ToArray();
        return new GatedServer(app, addresses[0], addresses[1]);
    }

    public HttpClient CreateHttp1Client() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
    {
        BaseAddress = Http1,
        Timeout = TimeSpan.FromSeconds(30),
    };

    public HttpClient CreateHttp2Client() => new(new SocketsHttpHandler())
    {
        BaseAddress = Http2,
        Timeout = TimeSpan.FromSeconds(30),
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    /// <summary>
    /// Stops the host (ApplicationStopping fires, the maintenance drain runs, Kestrel finishes requests, Akka's
    /// CoordinatedShutdown runs); the host gives up after <paramref name="within"/> (default 10 s). Safe to call twice.
    /// </summary>
    public async Task StopAsync(TimeSpan? within = null)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            using var stopping = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
            await _app.StopAsync(stopping.Token);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}
