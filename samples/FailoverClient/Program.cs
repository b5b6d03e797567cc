// FailoverClient: steady traffic to a service whose instances register themselves in etcd, routed by the failover registry.
// An instance put into maintenance (etcdctl) stops getting requests at once, and no request fails.
//
//   ETCD_ENDPOINTS  etcd endpoints, comma-separated (default 127.0.0.1:2379)
//   SERVICE_NAME    the service to call: http://{SERVICE_NAME}{REQUEST_PATH} (default http-service)
//   REQUEST_PATH    path of each request (default /items)
//   RATE            requests per second, all workers together (default 50)
//   WORKERS         concurrent senders (default 4)
//   REPORT_SECONDS  seconds per report line (default 2)
//   DURATION        seconds to run, 0 = until Ctrl+C (default 0)
//
// Exit code: 0 when no request failed, 1 otherwise; 2 for a bad setting.
using FailoverClient;
using MaintenanceActors.Failover;
using MaintenanceActors.Failover.Providers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Samples;

return SampleEnvironment.Run(() =>
{
    var etcd = SampleEnvironment.Text("ETCD_ENDPOINTS", "127.0.0.1:2379", "Failover:Etcd:Endpoints");
    var service = SampleEnvironment.Text("SERVICE_NAME", "http-service");
    var path = SampleEnvironment.Text("REQUEST_PATH", "/items");
    var rate = SampleEnvironment.Number("RATE", 50, 1, 10_000);
    var workers = SampleEnvironment.Number("WORKERS", 4, 1, 256);
    var reportSeconds = SampleEnvironment.Number("REPORT_SECONDS", 2, 1, 3600);
    var duration = SampleEnvironment.Number("DURATION", 0, 0, 86_400);
    if (service.Contains('.') || service.Contains('/'))
    {
        throw new SampleConfigurationException($"SERVICE_NAME must be a service name without '.' or '/' (default http-service), not '{service}'.");
    }
    if (!path.StartsWith('/'))
    {
        throw new SampleConfigurationException($"REQUEST_PATH must start with '/' (default /items), not '{path}'.");
    }

    var builder = Host.CreateApplicationBuilder(args);
    builder.Logging.SetMinimumLevel(LogLevel.Warning);
    builder.Services.AddFailover(f => f.UseEtcd(o =>
    {
        o.Endpoints = MaintenanceActors.EtcdSourceOptions.SplitEndpoints(etcd);
        o.Services = [service];
    }));
    builder.Services.AddHttpClient("service", c => c.Timeout = TimeSpan.FromSeconds(10)).AddFailover(o => o.Services.Add(service));
    using var host = builder.Build();
    host.Start();

    var failover = host.Services.GetRequiredService<IFailoverClient>();
    var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("service");
    var report = new TrafficReport();
    var lifetime = host.Services.GetRequiredService<IHostApplicationLifetime>();
    using var stop = CancellationTokenSource.CreateLinkedTokenSource(lifetime.ApplicationStopping);
    if (duration > 0)
    {
        stop.CancelAfter(TimeSpan.FromSeconds(duration));
    }
    // The registry fills from etcd's first read within moments; traffic starts once an instance is known.
    Console.WriteLine($"Waiting for instances of {service} in etcd {etcd} (/services/{service}/…) ...");
    while (!stop.IsCancellationRequested && failover.ListEndpointsAsync(service).GetAwaiter().GetResult().Count == 0)
    {
        Thread.Sleep(100);
    }
    Console.WriteLine($"Sending {rate} requests/s to http://{service}{path} with {workers} workers; instances come from etcd {etcd} (/services/{service}/…).");

    var senders = Enumerable.Range(0, workers).Select(_ => SendAsync(http, failover, service, path, TimeSpan.FromSeconds(workers / (double)rate), report, stop.Token)).ToArray();
    ReportAsync(failover, service, report, TimeSpan.FromSeconds(reportSeconds), stop.Token).GetAwaiter().GetResult();
    Task.WaitAll(senders);
    Console.WriteLine(report.Totals());
    return report.TotalFailed == 0 ? 0 : 1;
});

static async Task SendAsync(HttpClient http, IFailoverClient failover, string service, string path, TimeSpan interval, TrafficReport report, CancellationToken stop)
{
    using var timer = new PeriodicTimer(interval);
    var names = new Dictionary<string, string>(StringComparer.Ordinal);
    try
    {
        while (await timer.WaitForNextTickAsync(stop))
        {
            try
            {
                using var response = await http.GetAsync($"http://{service}{path}", stop);
                if (response.IsSuccessStatusCode)
                {
                    report.Answered(await InstanceOf(response.RequestMessage!.RequestUri!, failover, service, names));
                }
                else
                {
                    report.Failed($"HTTP {(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.Authority}");
                }
            }
            catch (HttpRequestException ex)
            {
                report.Failed(ex.Message);
            }
            catch (TaskCanceledException) when (!stop.IsCancellationRequested)
            {
                report.Failed("timed out");
            }
        }
    }
    catch (OperationCanceledException)
    {
        // stopped
    }
}

// The instance id of the endpoint that answered, from the registry (by address and port).
static async Task<string> InstanceOf(Uri answered, IFailoverClient failover, string service, Dictionary<string, string> names)
{
    var authority = answered.Authority;
    if (!names.TryGetValue(authority, out var name))
    {
        var endpoints = await failover.ListEndpointsAsync(service);
        foreach (var e in endpoints)
        {
            names[$"{e.Endpoint.Address}:{e.Endpoint.Port}"] = e.Endpoint.Id[(service.Length + 1)..];
        }
        name = names.GetValueOrDefault(authority, authority);
    }
    return name;
}

static async Task ReportAsync(IFailoverClient failover, string service, TrafficReport report, TimeSpan every, CancellationToken stop)
{
    using var timer = new PeriodicTimer(every);
    try
    {
        while (await timer.WaitForNextTickAsync(stop))
        {
            var endpoints = await failover.ListEndpointsAsync(service, stop);
            var known = endpoints.Select(e => e.Endpoint.Id[(service.Length + 1)..]).ToArray();
            var inMaintenance = endpoints.Where(e => e.InMaintenance).Select(e => e.Endpoint.Id[(service.Length + 1)..]).ToHashSet();
            Console.WriteLine(report.Flush(known, inMaintenance));
        }
    }
    catch (OperationCanceledException)
    {
        Console.WriteLine(report.Flush([], new HashSet<string>()));
    }
}
