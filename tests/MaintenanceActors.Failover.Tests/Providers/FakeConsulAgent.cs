using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Tests.Providers;

/// <summary>
/// No Consul agent runs here: this Kestrel app answers <c>GET /v1/health/service/{name}</c> as Consul documents it: a JSON array
/// of {Node, Service, Checks}, the <c>X-Consul-Index</c> header, and blocking queries (<c>index</c> + <c>wait</c>) that return
/// when the index moves past the one asked for or the wait ends.
/// </summary>
internal sealed class FakeConsulAgent : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<string, Dictionary<string, JsonObject>> _services = new(StringComparer.Ordinal);
    private long _index = 10;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private FakeConsulAgent(WebApplication app, int port)
    {
        _app = app;
        Address = $"http://127.0.0.1:{port}";
    }

    public string Address { get; }

    /// <summary>The ACL token of the last query.</summary>
    public string? LastToken { get; private set; }

    /// <summary>Starts on a free port, or on <paramref name="port"/> (an agent coming back where it was).</summary>
    public static async Task<FakeConsulAgent> StartAsync(int? port = null)
    {
        var chosen = port ?? FreePort.Get();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, chosen));
        var app = builder.Build();
        var agent = new FakeConsulAgent(app, chosen);
        app.MapGet("/v1/health/service/{name}", agent.ServeAsync);
        await app.StartAsync();
        return agent;
    }

    /// <summary>Registers (or replaces) an instance with a serf health check and its own check in <paramref name="status"/>.</summary>
    public void Put(string service, string id, int port, string status = "passing") =>
        Change(service, id, _ => Entry(service, id, port, status, maintenanceReason: null));

    /// <summary>What <c>consul maint -enable -service={id} -reason=…</c> does: adds a critical _service_maintenance check.</summary>
    public void Maintenance(string service, string id, int port, string? reason) =>
        Change(service, id, _ => Entry(service, id, port, "passing", reason));

    public void Remove(string service, string id) => Change(service, id, _ => null);

    private static JsonObject Entry(string service, string id, int port, string status, string? maintenanceReason)
    {
        var checks = new JsonArray(
            new JsonObject { ["Node"] = "node-1", ["CheckID"] = "serfHealth", ["Name"] = "Serf Health Status", ["Status"] = "passing", ["Notes"] = "", ["Output"] = "Agent alive", ["ServiceID"] = "" },
            new JsonObject { ["Node"] = "node-1", ["CheckID"] = $"service:{id}", ["Name"] = "Service check", ["Status"] = status, ["Notes"] = "", ["Output"] = "", ["ServiceID"] = id });
        if (maintenanceReason is not null)
        {
            checks.Add(new JsonObject
            {
                ["Node"] = "node-1", ["CheckID"] = $"_service_maintenance:{id}", ["Name"] = "Service Maintenance Mode",
                ["Status"] = "critical", ["Notes"] = maintenanceReason, ["Output"] = "", ["ServiceID"] = id,
            });
        }
        return new JsonObject
        {
            ["Node"] = new JsonObject { ["ID"] = "0f1e", ["Node"] = "node-1", ["Address"] = "10.3.0.1", ["Datacenter"] = "dc1" },
            ["Service"] = new JsonObject
            {
                ["ID"] = id, ["Service"] = service, ["Tags"] = new JsonArray("v1"), ["Address"] = "127.0.0.1", ["Port"] = port,
                ["Meta"] = new JsonObject { ["version"] = "1.2" }, ["Weights"] = new JsonObject { ["Passing"] = 2, ["Warning"] = 1 },
            },
            ["Checks"] = checks,
        };
    }

    private void Change(string service, string id, Func<JsonObject?, JsonObject?> change)
    {
        lock (_gate)
        {
            if (!_services.TryGetValue(service, out var instances)) _services[service] = instances = new(StringComparer.Ordinal);
            var next = change(instances.GetValueOrDefault(id));
            if (next is null) instances.Remove(id);
            else instances[id] = next;
            _index++;
            _changed.TrySetResult();
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    private async Task ServeAsync(HttpContext context, string name)
    {
        LastToken = context.Request.Headers["X-Consul-Token"].FirstOrDefault();
        var asked = long.TryParse(context.Request.Query["index"], NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : 0;
        var wait = context.Request.Query["wait"].ToString() is { Length: > 1 } w && int.TryParse(w.TrimEnd('s'), out var s) ? TimeSpan.FromSeconds(s) : TimeSpan.FromMinutes(5);
        Task changed;
        lock (_gate)
        {
            changed = asked > 0 && asked >= _index ? _changed.Task : Task.CompletedTask;
        }
        try
        {
            await changed.WaitAsync(wait, context.RequestAborted);
        }
        catch (TimeoutException)
        {
            // the wait ended: answer with the same index
        }
        catch (OperationCanceledException)
        {
            return;
        }
        string body;
        long index;
        lock (_gate)
        {
            index = _index;
            body = new JsonArray((_services.GetValueOrDefault(name)?.Values ?? Enumerable.Empty<JsonObject>()).Select(e => (JsonNode)e.DeepClone()).ToArray()).ToJsonString();
        }
        context.Response.Headers["X-Consul-Index"] = index.ToString(CultureInfo.InvariantCulture);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        lock (_gate) _changed.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
