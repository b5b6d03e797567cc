// GrpcService: a user service served as gRPC at the HTTP/2 level, plus grpc.health.v1,
// drained cleanly when its etcd key says maintenance.
//
//   ETCD_ENDPOINTS   etcd endpoints, comma-separated, host:port or http://host:port (default 127.0.0.1:2379)
//   MAINTENANCE_KEY  the key to watch (default /maintenance/grpc-service)
//   PORT             port for h2c (HTTP/2 without TLS) on 127.0.0.1 (default 50051)
//
// Try it:   /usr/bin/python3 samples/GrpcService/client/users_client.py loop
//           etcdctl put /maintenance/grpc-service '{"enabled":true,"reason":"upgrade"}'   -> UNAVAILABLE
//           /usr/bin/python3 samples/GrpcService/client/users_client.py health users.v1.UserService -> NOT_SERVING
using System.Net;
using GrpcService;
using GrpcService.Users;
using MaintenanceActors;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Grpc;
using Microsoft.AspNetCore.Server.Kestrel.Core;

var etcdEndpoints = Env("ETCD_ENDPOINTS", "127.0.0.1:2379");
var maintenanceKey = Env("MAINTENANCE_KEY", "/maintenance/grpc-service");
var portText = Env("PORT", "50051");
if (!int.TryParse(portText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
{
    Console.Error.WriteLine($"PORT must be a TCP port number from 1 to 65535 (default 50051), not '{portText}'.");
    return 2;
}
const string Service = "users.v1.UserService";

var builder = WebApplication.CreateBuilder(args);
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, port, o => o.Protocols = HttpProtocols.Http2));
builder.Services.AddSingleton<UserStore>();
builder.Services.AddMaintenance(m => m
    .UseEtcd(etcd =>
    {
        etcd.Endpoints = EtcdSourceOptions.SplitEndpoints(etcdEndpoints);
        etcd.Key = maintenanceKey;
    })
    .AddGrpcDrain(grpc =>
    {
        grpc.HealthServiceNames.Add(Service);
        grpc.DrainTimeout = TimeSpan.FromSeconds(30);
        grpc.EndCallsAfter = TimeSpan.FromSeconds(10);   // long ListUsers streams end with UNAVAILABLE after 10 s
    }));

var app = builder.Build();
app.UseMaintenance();

var store = app.Services.GetRequiredService<UserStore>();
app.MapUnary($"/{Service}/GetUser", GetUserRequest.Parser, (request, _) =>
    Task.FromResult<Google.Protobuf.IMessage>(store.Find(request.Id)
        ?? throw new GrpcCallException(GrpcStatusCode.NotFound, $"No user with id {request.Id}")));

app.MapUnary($"/{Service}/CreateUser", CreateUserRequest.Parser, (request, _) =>
    string.IsNullOrWhiteSpace(request.Name)
        ? throw new GrpcCallException(GrpcStatusCode.InvalidArgument, "name is required")
        : Task.FromResult<Google.Protobuf.IMessage>(store.Create(request.Name, request.Email)));

app.MapServerStreaming($"/{Service}/ListUsers", ListUsersRequest.Parser, async (request, send, cancellationToken) =>
{
    foreach (var user in store.All())
    {
        await send(user);
        if (request.DelayMs > 0)
        {
            await Task.Delay(Math.Min(request.DelayMs, 60_000), cancellationToken);
        }
    }
});

app.MapUnimplemented();
app.Run();
return 0;

// Unset and empty both mean "use the default".
static string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
