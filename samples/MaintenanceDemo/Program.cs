using System.Diagnostics;
using System.Net;
using MaintenanceDemo;

var settings = DemoSettings.FromEnvironment();
Console.WriteLine($"Demo: {settings.Clients} clients ({settings.SlowClients} of them on /slow?ms={settings.SlowMs}) against {settings.ServiceUrl}");
Console.WriteLine($"      maintenance key {settings.Key} on etcd {settings.EtcdEndpoints}");
Console.WriteLine();

using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 256, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
{
    BaseAddress = new Uri(settings.ServiceUrl),
    Timeout = TimeSpan.FromSeconds(30),
};

var recorder = new TrafficRecorder();
string? firstRefusal = null;
using var stop = new CancellationTokenSource();
// Slow clients start staggered over one slow request's length, so at any moment some long request is midway.
var clients = Enumerable.Range(0, settings.Clients)
    .Select(i => Task.Run(() => ClientLoop(
        i < settings.SlowClients ? $"/slow?ms={settings.SlowMs}" : "/items",
        i < settings.SlowClients ? TimeSpan.FromMilliseconds(settings.SlowMs * i / (double)Math.Max(1, settings.SlowClients)) : TimeSpan.Zero,
        stop.Token)))
    .ToArray();

var timeline = new Timeline(recorder);
await timeline.WaitAsync(settings.Warmup);
timeline.Mark("traffic steady");

// Put while a long request is midway (started a while ago, most of it still ahead), so the drain has real work to wait for.
var longRequest = await WaitForSlowRequestMidway();
var enterAt = await Toggle(true);
var caught = recorder.InFlightAt(enterAt);
timeline.Mark($"etcdctl put {settings.Key} true   (client requests in flight at the put: {caught.Count}, of which slow: {caught.Count(r => r.Slow)})");
await timeline.WaitAsync(settings.Hold);
var health = await ReadHealth();
timeline.Mark($"GET /health -> {health}");

var exitAt = await Toggle(false);
timeline.Mark($"etcdctl put {settings.Key} false");
await timeline.WaitAsync(settings.Tail);
stop.Cancel();
await Task.WhenAll(clients);
timeline.Mark("traffic stopped");

timeline.Print();
Summary.Print(recorder, enterAt, exitAt, longRequest, firstRefusal);
return recorder.Lost > 0 || longRequest is not { Status: 200 or 201 } ? 1 : 0;

async Task<RequestRecord?> WaitForSlowRequestMidway()
{
    if (settings.SlowClients == 0)
    {
        return null;
    }
    var slow = TimeSpan.FromMilliseconds(settings.SlowMs);
    var deadline = recorder.Elapsed + slow * 4;
    while (recorder.Elapsed < deadline)
    {
        if (recorder.SlowRequestMidway(slow / 10, slow / 3) is { } request)
        {
            return request;
        }
        await Task.Delay(5);
    }
    return null;
}

async Task ClientLoop(string path, TimeSpan startDelay, CancellationToken cancel)
{
    bool slow = path.StartsWith("/slow", StringComparison.Ordinal);
    try { await Task.Delay(startDelay, cancel); } catch (OperationCanceledException) { return; }
    while (!cancel.IsCancellationRequested)
    {
        var id = recorder.Start(slow);
        int status;
        try
        {
            using var response = await http.GetAsync(path, CancellationToken.None);
            var body = await response.Content.ReadAsStringAsync(CancellationToken.None);
            status = (int)response.StatusCode;
            if (status == (int)HttpStatusCode.ServiceUnavailable && firstRefusal is null)
            {
                Interlocked.CompareExchange(ref firstRefusal,
                    $"503, {response.Content.Headers.ContentType}, Retry-After: {response.Headers.RetryAfter}, {body}", null);
            }
        }
        catch (HttpRequestException)
        {
            status = -1;
        }
        recorder.End(id, status);
        if (status == (int)HttpStatusCode.ServiceUnavailable)
        {
            // A polite client backs off a little when refused.
            try { await Task.Delay(50, cancel); } catch (OperationCanceledException) { }
        }
    }
}

async Task<TimeSpan> Toggle(bool on)
{
    var value = on ? "{\"enabled\":true,\"reason\":\"demo: planned maintenance\",\"by\":\"demo.sh\"}" : "false";
    var psi = new ProcessStartInfo(settings.Etcdctl)
    {
        RedirectStandardOutput = true,
        RedirectStandardError = true,
    };
    psi.ArgumentList.Add($"--endpoints={settings.EtcdEndpoints}");
    psi.ArgumentList.Add("put");
    psi.ArgumentList.Add(settings.Key);
    psi.ArgumentList.Add(value);
    psi.Environment["ETCDCTL_API"] = "3";
    using var process = Process.Start(psi) ?? throw new InvalidOperationException("could not start etcdctl");
    await process.WaitForExitAsync();
    if (process.ExitCode != 0)
    {
        throw new InvalidOperationException($"etcdctl put failed: {await process.StandardError.ReadToEndAsync()}");
    }
    // Latencies count from the moment etcd has committed the put (etcdctl returned), not from process start.
    return recorder.Elapsed;
}

async Task<string> ReadHealth()
{
    try
    {
        var body = await http.GetStringAsync("/health");
        return body.Length > 300 ? body[..300] + "…" : body;
    }
    catch (HttpRequestException ex)
    {
        return "unreachable: " + ex.Message;
    }
}
