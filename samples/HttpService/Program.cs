// HttpService: a small JSON API that drains cleanly when its etcd key says maintenance.
//
//   ETCD_ENDPOINTS   etcd endpoints, comma-separated, host:port or http://host:port (default 127.0.0.1:2379)
//   MAINTENANCE_KEY  the key to watch (default /maintenance/http-service)
//   PORT             port to listen on, on 127.0.0.1 (default 5080)
//
// Try it:   etcdctl put /maintenance/http-service '{"enabled":true,"reason":"upgrade"}'
//           curl -i localhost:5080/items          -> 503 application/problem+json, Retry-After
//           curl localhost:5080/health            -> still answers: "draining", then "drained"
//           etcdctl del /maintenance/http-service -> back to 200
using System.Net;
using HttpService;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;

var etcdEndpoints = Env("ETCD_ENDPOINTS", "127.0.0.1:2379");
var maintenanceKey = Env("MAINTENANCE_KEY", "/maintenance/http-service");
var portText = Env("PORT", "5080");
if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    Console.Error.WriteLine($"PORT must be a TCP port number from 1 to 65535 (default 5080), not '{portText}'.");
    return 2;
}

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port));
builder.Services.AddSingleton<ItemStore>();
builder.Services.AddMaintenance(m => m
    .UseEtcd(etcd =>
    {
        etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints);
        etcd.Key = maintenanceKey;
    })
    .AddHttpDrain(http =>
    {
        http.DrainTimeout = TimeSpan.FromSeconds(30);
        http.DefaultRetryAfter = TimeSpan.FromSeconds(60);
    }));

var app = builder.Build();

// First in the pipeline: every request is counted before anything else runs.
app.UseMaintenance();

// /health is skipped by the gate (default skip prefix), so it answers during maintenance too.
app.MapGet("/health", async (IMaintenance maintenance, CancellationToken cancellationToken) =>
{
    var status = await maintenance.GetStatusAsync(cancellationToken);
    return Results.Json(new
    {
        status = !status.InMaintenance ? "serving" : status.AppliedEnabled && !status.TransitionInProgress ? "drained" : "draining",
        inMaintenance = status.InMaintenance,
        reasons = status.Reasons,
        lastTransition = status.LastTransition is { } t
            ? new { t.Epoch, t.Enabled, t.Succeeded, durationMs = t.Duration.TotalMilliseconds, drains = t.Drains.Select(d => new { d.Resource, outcome = d.Outcome.ToString(), d.InFlightAtDeadline }) }
            : null,
    });
});

// Readiness for load balancers: unhealthy from the moment maintenance is entered, before anything is refused.
app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains("ready") });

app.MapGet("/items", (ItemStore store) => store.All());

app.MapGet("/items/{id:int}", (int id, ItemStore store) =>
    store.Find(id) is { } item ? Results.Ok(item) : Results.Problem(statusCode: 404, title: "Item not found", detail: $"No item with id {id}."));

app.MapPost("/items", (NewItem item, ItemStore store) =>
{
    if (string.IsNullOrWhiteSpace(item.Name) || item.Price < 0)
    {
        return Results.ValidationProblem(new Dictionary<string, string[]> { ["item"] = ["name is required and price must not be negative"] });
    }

    var created = store.Add(item);
    return Results.Created($"/items/{created.Id}", created);
});

// A slow request shows draining: start it, put the service into maintenance, and it still completes.
app.MapGet("/slow", async (int? ms, CancellationToken cancellationToken) =>
{
    var delay = TimeSpan.FromMilliseconds(Math.Clamp(ms ?? 2000, 0, 60_000));
    await Task.Delay(delay, cancellationToken);
    return Results.Ok(new { sleptMs = delay.TotalMilliseconds });
});

app.Run();
return 0;

// Unset and empty both mean "use the default".
static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
