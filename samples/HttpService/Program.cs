// HttpService: a small JSON API that drains cleanly when its etcd key says maintenance.
//
//   ETCD_ENDPOINTS       etcd endpoints, comma-separated, host:port or http://host:port (default 127.0.0.1:2379)
//   MAINTENANCE_SERVICE  the fleet's service name (default SERVICE_NAME, else http-service): watches /maintenance/<service> and
//                        /maintenance/<service>/instances/<id>, publishes status at /maintenance-status/<service>/<id>
//   INSTANCE_ID          this instance's id (default <host name>-<port>, so several instances on one host differ)
//   MAINTENANCE_KEY      the service-wide key (default /maintenance/<service>)
//   PORT                 port to listen on (default 5080)
//   LISTEN_ADDRESS       address to listen on (default 127.0.0.1; 0.0.0.0 in a container)
//   SERVICE_NAME         when set, the instance registers itself in etcd for failover clients as <SERVICE_NAME>/<INSTANCE_ID>
//                        under REGISTRY_PREFIX (default /services/) at REGISTER_ADDRESS (default the listen address), on a
//                        lease; it is also the default MAINTENANCE_SERVICE. See samples/FailoverClient
//
// Try it:   etcdctl put /maintenance/http-service '{"enabled":true,"reason":"upgrade"}'
//           curl -i localhost:5080/items          -> 503 application/problem+json, Retry-After
//           curl localhost:5080/health            -> still answers: "draining", then "drained"
//           etcdctl get --prefix /maintenance-status/http-service/   -> this instance's status JSON
//           etcdctl del /maintenance/http-service -> back to 200
//
// A bad setting stops it with one line naming the variable and exit code 2.
using System.Net;
using HttpService;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using Samples;

return SampleEnvironment.Run(() =>
{
var etcdEndpoints = SampleEnvironment.Text("ETCD_ENDPOINTS", "127.0.0.1:2379", "Maintenance:Etcd:Endpoints");
var service = SampleEnvironment.Text("MAINTENANCE_SERVICE", SampleEnvironment.Text("SERVICE_NAME", "http-service"), "Maintenance:Fleet:Service");
var port = SampleEnvironment.Port("PORT", 5080);
var instanceId = SampleEnvironment.Text("INSTANCE_ID", $"{Environment.MachineName}-{port}", "Maintenance:Fleet:InstanceId");
var maintenanceKey = SampleEnvironment.Text("MAINTENANCE_KEY", $"/maintenance/{service}", "Maintenance:Etcd:Key");
var listenAddress = SampleEnvironment.ListenAddress();

// appsettings.json (log levels) is read from beside the binary, wherever the process is started from.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(listenAddress, port));
builder.Services.AddSingleton<ItemStore>();
SelfRegistration.AddIfConfigured(builder.Services, etcdEndpoints, listenAddress, port, instanceId);
builder.Services.AddMaintenance(m => m
    .UseEtcd(etcd =>
    {
        etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints);
        etcd.Key = maintenanceKey;
    })
    .UseFleet(fleet =>
    {
        fleet.Service = service;
        fleet.InstanceId = instanceId;
    })
    .AddHttpDrain(http =>
    {
        http.DrainTimeout = TimeSpan.FromSeconds(30);
        http.DefaultRetryAfter = TimeSpan.FromSeconds(60);
    }));

var app = builder.Build();

// First in the pipeline: every request is counted before anything else runs. (It also starts the coordinator's
// validation, so a bad setting stops the process here, before it listens.)
app.UseMaintenance();

app.MapMaintenanceEndpoints();   // /health, /health/ready, /stats

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
});
