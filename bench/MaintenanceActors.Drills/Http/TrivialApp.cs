using System.Net;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Drills.Http;

/// <summary>A Kestrel app on 127.0.0.1 with one trivial endpoint, with or without the maintenance gate in front.</summary>
internal sealed class TrivialApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TrivialApp(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    public string Url { get; }

    /// <summary>The maintenance façade when the gate is on, to prove it really is in the pipeline.</summary>
    public IMaintenance? Maintenance => _app.Services.GetService<IMaintenance>();

    public static async Task<TrivialApp> StartAsync(bool withMaintenance, CancellationToken cancellationToken)
    {
        var port = FreePort.Get();
        var builder = WebApplication.CreateSlimBuilder();
        // Both apps log nothing, so only the middleware differs between them.
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
        if (withMaintenance)
        {
            builder.Services.AddMaintenance(m => m.AddHttpDrain());
        }
        var app = builder.Build();
        if (withMaintenance)
        {
            app.UseMaintenance();
        }
        app.MapGet("/", () => "ok");
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        return new TrivialApp(app, $"http://127.0.0.1:{port}/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
