using System.Net;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Failover.Tests.Providers;

/// <summary>
/// No Kubernetes API server runs here: this Kestrel app answers the two calls the provider makes, as the API documents them:
/// <c>GET /apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices?labelSelector=…</c> (an EndpointSliceList with its
/// resourceVersion) and the same with <c>watch=true</c> (newline-delimited <c>{"type":…,"object":…}</c> events).
/// </summary>
internal sealed class FakeKubernetesApi : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly object _gate = new();
    private readonly Dictionary<string, JsonObject> _slices = new(StringComparer.Ordinal);
    private readonly List<(string Selector, Channel<string> Events)> _watchers = new();
    private long _revision = 100;
    private int _lists;

    private FakeKubernetesApi(WebApplication app, int port)
    {
        _app = app;
        Host = $"http://127.0.0.1:{port}";
    }

    public string Host { get; }

    /// <summary>List calls served so far.</summary>
    public int Lists => Volatile.Read(ref _lists);

    /// <summary>Watch streams open now.</summary>
    public int OpenWatches { get { lock (_gate) return _watchers.Count; } }

    public static async Task<FakeKubernetesApi> StartAsync()
    {
        var port = FreePort.Get();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var api = new FakeKubernetesApi(app, port);
        app.MapGet("/apis/discovery.k8s.io/v1/namespaces/{ns}/endpointslices", api.ServeAsync);
        await app.StartAsync();
        return api;
    }

    /// <summary>One slice of <paramref name="service"/> in the API's JSON: each endpoint is (pod, address, ready, terminating).</summary>
    public static JsonObject Slice(string name, string service, int port, params (string Pod, string Address, bool? Ready, bool Terminating)[] endpoints) => new()
    {
        ["apiVersion"] = "discovery.k8s.io/v1",
        ["kind"] = "EndpointSlice",
        ["metadata"] = new JsonObject
        {
            ["name"] = name,
            ["namespace"] = "default",
            ["labels"] = new JsonObject { ["kubernetes.io/service-name"] = service },
        },
        ["addressType"] = "IPv4",
        ["ports"] = new JsonArray(new JsonObject { ["name"] = "http", ["port"] = port, ["protocol"] = "TCP" }),
        ["endpoints"] = new JsonArray(endpoints.Select(e =>
        {
            var conditions = new JsonObject { ["serving"] = e.Ready ?? true, ["terminating"] = e.Terminating };
            if (e.Ready is { } ready) conditions["ready"] = ready;
            return (JsonNode)new JsonObject
            {
                ["addresses"] = new JsonArray(e.Address),
                ["conditions"] = conditions,
                ["targetRef"] = new JsonObject { ["kind"] = "Pod", ["name"] = e.Pod, ["namespace"] = "default" },
                ["nodeName"] = "node-1",
                ["zone"] = "zone-a",
            };
        }).ToArray()),
    };

    /// <summary>Creates or replaces a slice and tells open watches (ADDED or MODIFIED).</summary>
    public void Apply(JsonObject slice)
    {
        lock (_gate)
        {
            var name = slice["metadata"]!["name"]!.GetValue<string>();
            slice["metadata"]!["resourceVersion"] = (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
            var type = _slices.ContainsKey(name) ? "MODIFIED" : "ADDED";
            _slices[name] = slice;
            Notify(type, slice);
        }
    }

    /// <summary>Deletes a slice and tells open watches.</summary>
    public void Delete(string name)
    {
        lock (_gate)
        {
            if (_slices.Remove(name, out var slice))
            {
                slice["metadata"]!["resourceVersion"] = (++_revision).ToString(System.Globalization.CultureInfo.InvariantCulture);
                Notify("DELETED", slice);
            }
        }
    }

    /// <summary>Ends every open watch, as an API server does when its watch timeout passes or it restarts.</summary>
    public void EndWatches()
    {
        lock (_gate)
        {
            foreach (var (_, events) in _watchers) events.Writer.TryComplete();
            _watchers.Clear();
        }
    }

    private void Notify(string type, JsonObject slice)
    {
        var service = slice["metadata"]!["labels"]!["kubernetes.io/service-name"]!.GetValue<string>();
        var line = new JsonObject { ["type"] = type, ["object"] = slice.DeepClone() }.ToJsonString();
        foreach (var (selector, events) in _watchers.Where(w => w.Selector == $"kubernetes.io/service-name={service}"))
        {
            events.Writer.TryWrite(line);
        }
    }

    private async Task ServeAsync(HttpContext context)
    {
        var selector = context.Request.Query["labelSelector"].ToString();
        if (context.Request.Query["watch"] is { Count: > 0 } watch && watch.ToString() is "true" or "1")
        {
            var events = Channel.CreateUnbounded<string>();
            lock (_gate) _watchers.Add((selector, events));
            context.Response.ContentType = "application/json";
            await context.Response.StartAsync();
            try
            {
                await foreach (var line in events.Reader.ReadAllAsync(context.RequestAborted))
                {
                    await context.Response.WriteAsync(line + "\n", context.RequestAborted);
                    await context.Response.Body.FlushAsync(context.RequestAborted);
                }
            }
            catch (OperationCanceledException)
            {
                // the client went away
            }
            finally
            {
                lock (_gate) _watchers.RemoveAll(w => w.Events == events);
            }
            return;
        }
        Interlocked.Increment(ref _lists);
        JsonObject list;
        lock (_gate)
        {
            list = new JsonObject
            {
                ["apiVersion"] = "discovery.k8s.io/v1",
                ["kind"] = "EndpointSliceList",
                ["metadata"] = new JsonObject { ["resourceVersion"] = _revision.ToString(System.Globalization.CultureInfo.InvariantCulture) },
                ["items"] = new JsonArray(_slices.Values
                    .Where(s => $"kubernetes.io/service-name={s["metadata"]!["labels"]!["kubernetes.io/service-name"]!.GetValue<string>()}" == selector)
                    .Select(s => (JsonNode)s.DeepClone()).ToArray()),
            };
        }
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(list.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        EndWatches();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
