using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using MaintenanceActors.AspNetCore;
using MaintenanceActors.Drills.Core;
using MaintenanceActors.Drills.Etcd;
using MaintenanceActors.Failover;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Drills.Failover;

/// <summary>
/// Failover issue: (1) etcd put of an instance's maintenance key → the client no longer selects that instance, beside a raw
/// etcd watch of the same key in the same run; (2) a rolling maintenance of 3 real Kestrel instances (each draining on its
/// own key) under steady load through the failover HTTP handler: requests that failed.
/// </summary>
internal sealed class FailoverMaintenanceDrill : IDrill
{
    private const string Service = "drill-service";
    private const string RollingService = "rolling-service";

    public string Name => "failover-maintenance";

    public string Description => "etcd put -> failover client stops selecting the instance (beside a raw watch); failed requests in a rolling maintenance of 3 instances under load";

    public async Task<DrillReport> RunAsync(DrillSettings settings, CancellationToken cancellationToken)
    {
        await using var etcd = await EtcdServer.StartAsync().ConfigureAwait(false);
        await using var writer = new EtcdTestWriter(etcd.CreateClient());
        var (raw, client) = await MeasureExclusionAsync(etcd, writer, settings.Size(500, 60), settings.Size(50, 10), cancellationToken).ConfigureAwait(false);
        var rolling = await RollingMaintenanceAsync(etcd, writer, settings.Size(3, 1), cancellationToken).ConfigureAwait(false);

        var table = new MarkdownTable("path", "samples", "p50 ms", "p99 ms", "max ms", "mean ms");
        table.Add("raw etcd watch of the instance key (put -> event read)", Count(raw), LatencyStats.Format(raw.P50), LatencyStats.Format(raw.P99), LatencyStats.Format(raw.Max), LatencyStats.Format(raw.Mean));
        table.Add("failover client stops selecting the instance (put -> excluded)", Count(client), LatencyStats.Format(client.P50), LatencyStats.Format(client.P99), LatencyStats.Format(client.Max), LatencyStats.Format(client.Mean));
        table.Add($"rolling maintenance of 3 instances, {rolling.Rounds} round(s), 8 clients: requests / failed / sent to an excluded instance",
            rolling.Requests.ToString(System.Globalization.CultureInfo.InvariantCulture), rolling.Failed.ToString(System.Globalization.CultureInfo.InvariantCulture),
            rolling.ToExcluded.ToString(System.Globalization.CultureInfo.InvariantCulture), "", "");

        var limit = 1.5 * raw.P99 + 2;
        return new DrillReport(Name, table,
        [
            new TargetCheck("client exclusion p99 ≤ 1.5 × raw watch p99 + 2 ms", $"{LatencyStats.Format(client.P99)} ms vs limit {LatencyStats.Format(limit)} ms", client.P99 <= limit),
            new TargetCheck("failed requests during the rolling maintenance = 0", $"{rolling.Failed} of {rolling.Requests}", rolling.Failed == 0),
        ],
        [
            "Exclusion: puts alternate on/off on /maintenance/drill-service/instances/b (service drill-service); after each 'on' a client thread selects " +
            "(round robin over 3 endpoints registered in etcd) until three picks in a row miss b; both times run from just before the put.",
            "Rolling: each instance in turn gets its key on (it drains with the HTTP gate; the registry takes it out), stays in maintenance " +
            "under load for 300 ms, then the key clears and the drill waits until it serves again. 'Sent to an excluded instance' counts " +
            "requests started after the registry excluded it that reached it anyway.",
            .. Failures.Distinct().Take(5).Select(f => $"Failed: {f}"),
        ]);
    }

    private static string Count(LatencyStats stats) => stats.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<(LatencyStats Raw, LatencyStats Client)> MeasureExclusionAsync(EtcdServer etcd, EtcdTestWriter writer, int puts, int warmup,
        CancellationToken cancellationToken)
    {
        foreach (var (name, port) in new[] { ("a", 7001), ("b", 7002), ("c", 7003) })
        {
            await writer.PutAsync($"/services/{Service}/{name}", new InstanceRegistration("127.0.0.1", port).ToJson(), cancellationToken).ConfigureAwait(false);
        }
        using var host = await StartClientAsync(etcd, Service, cancellationToken).ConfigureAwait(false);
        var failover = host.Services.GetRequiredService<IFailoverClient>();
        await WaitAsync(() => failover.ListEndpointsAsync(Service).Result.Count == 3, "the 3 endpoints from etcd").ConfigureAwait(false);

        const string key = "/maintenance/" + Service + "/instances/b";
        var arrivals = new Arrivals();
        using var rawClient = etcd.CreateClient();
        await using var rawWatch = await RawWatch.StartAsync(rawClient, key, arrivals, cancellationToken).ConfigureAwait(false);
        var request = new FailoverRequest(Service) { Strategy = FailoverStrategy.RoundRobin };
        var raw = new List<double>(puts);
        var client = new List<double>(puts);
        for (var i = 0; i < warmup + puts; i++)
        {
            var (revision, sentAt) = await TimedPut.PutAsync(writer, key, enabled: true, cancellationToken).ConfigureAwait(false);
            var excludedAt = await Task.Run(() => SpinUntil(failover, request, b: false), cancellationToken).ConfigureAwait(false);
            var rawAt = await arrivals.WhenArrived(revision, "the raw watch").ConfigureAwait(false);
            if (i >= warmup)
            {
                raw.Add(LatencyStats.Ms(sentAt, rawAt));
                client.Add(LatencyStats.Ms(sentAt, excludedAt));
            }
            var (off, _) = await TimedPut.PutAsync(writer, key, enabled: false, cancellationToken).ConfigureAwait(false);
            await Task.Run(() => SpinUntil(failover, request, b: true), cancellationToken).ConfigureAwait(false);
            await arrivals.WhenArrived(off, "the raw watch").ConfigureAwait(false);
        }
        await host.StopAsync(cancellationToken).ConfigureAwait(false);
        return (new LatencyStats(raw), new LatencyStats(client));
    }

    /// <summary>Selects until b is (or is no longer) among three round-robin picks in a row; returns the timestamp.</summary>
    private static long SpinUntil(IFailoverClient failover, FailoverRequest request, bool b)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 15;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var seen = false;
            for (var pick = 0; pick < 3; pick++)
            {
                seen |= failover.TrySelectEndpoint(request, out var endpoint) && endpoint!.Id.EndsWith("/b", StringComparison.Ordinal);
            }
            if (seen == b)
            {
                return Stopwatch.GetTimestamp();
            }
            Thread.SpinWait(20);
        }
        throw new TimeoutException($"the client did not {(b ? "select b again" : "stop selecting b")} within 15 s");
    }

    private sealed record Rolling(int Rounds, long Requests, long Failed, long ToExcluded);

    private static async Task<Rolling> RollingMaintenanceAsync(EtcdServer etcd, EtcdTestWriter writer, int rounds, CancellationToken cancellationToken)
    {
        var discovery = new EtcdDiscoveryOptions { Endpoints = [etcd.Endpoint], Services = [RollingService] };
        var apps = new List<(string Name, WebApplication App)>();
        var registrations = new List<EtcdServiceRegistration>();
        try
        {
            foreach (var name in new[] { "ra", "rb", "rc" })
            {
                var port = FreePort.Get();
                var builder = WebApplication.CreateSlimBuilder();
                builder.Logging.ClearProviders();
                builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, port));
                builder.Services.AddMaintenance(m => m.UseEtcd(o =>
                {
                    o.Endpoints = [etcd.Endpoint];
                    o.Key = $"/maintenance/{RollingService}/instances/{name}";
                }).AddHttpDrain());
                var app = builder.Build();
                app.UseMaintenance();
                app.MapGet("/", () => name);
                await app.StartAsync(cancellationToken).ConfigureAwait(false);
                apps.Add((name, app));
                registrations.Add(await EtcdServiceRegistration.StartAsync(discovery, RollingService, name, new InstanceRegistration("127.0.0.1", port),
                    cancellationToken: cancellationToken).ConfigureAwait(false));
            }
            using var host = await StartClientAsync(etcd, RollingService, cancellationToken).ConfigureAwait(false);
            var failover = host.Services.GetRequiredService<IFailoverClient>();
            var http = host.Services.GetRequiredService<IHttpClientFactory>().CreateClient("service");
            await WaitAsync(() => failover.ListEndpointsAsync(RollingService).Result.Count == 3,
                "the 3 instances registered").ConfigureAwait(false);

            var log = new ConcurrentQueue<(long StartedAt, string? Instance)>();
            using var stop = new CancellationTokenSource(TimeSpan.FromMinutes(3));
            var traffic = Enumerable.Range(0, 8).Select(_ => Task.Run(() => SendAsync(http, log, stop.Token))).ToArray();
            long toExcluded = 0;
            for (var round = 0; round < rounds; round++)
            {
                foreach (var (name, _) in apps)
                {
                    var key = $"/maintenance/{RollingService}/instances/{name}";
                    await writer.PutAsync(key, "{\"enabled\":true,\"reason\":\"rolling drill\"}", cancellationToken).ConfigureAwait(false);
                    await WaitAsync(() => failover.GetEndpointAsync($"{RollingService}/{name}").Result?.InMaintenance == true, $"{name} excluded").ConfigureAwait(false);
                    var excluded = Stopwatch.GetTimestamp();
                    await Task.Delay(300, cancellationToken).ConfigureAwait(false);   // the instance's maintenance, under load
                    toExcluded += log.Count(e => e.StartedAt > excluded && e.Instance == name);
                    await writer.DeleteAsync(key, cancellationToken).ConfigureAwait(false);
                    var cleared = Stopwatch.GetTimestamp();
                    await WaitAsync(() => log.Any(e => e.StartedAt > cleared && e.Instance == name), $"{name} serving again").ConfigureAwait(false);
                }
            }
            stop.Cancel();
            await Task.WhenAll(traffic).ConfigureAwait(false);
            await host.StopAsync(cancellationToken).ConfigureAwait(false);
            return new Rolling(rounds, log.Count, log.Count(e => e.Instance is null), toExcluded);
        }
        finally
        {
            foreach (var registration in registrations) await registration.DisposeAsync().ConfigureAwait(false);
            foreach (var (_, app) in apps)
            {
                await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
                await app.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>Why requests failed, for the report.</summary>
    private static readonly ConcurrentQueue<string> Failures = new();

    private static async Task SendAsync(HttpClient http, ConcurrentQueue<(long, string?)> log, CancellationToken stop)
        => await SendAsync(http, RollingService, log, stop).ConfigureAwait(false);

    private static async Task SendAsync(HttpClient http, string service, ConcurrentQueue<(long, string?)> log, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.GetAsync($"http://{service}/", stop).ConfigureAwait(false);
                if (!response.IsSuccessStatusCode) Failures.Enqueue($"HTTP {(int)response.StatusCode} from {response.RequestMessage?.RequestUri?.Authority}");
                log.Enqueue((started, response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(stop).ConfigureAwait(false) : null));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException ex)
            {
                Failures.Enqueue(ex.Message);
                log.Enqueue((started, null));
            }
        }
    }

    private static async Task<IHost> StartClientAsync(EtcdServer etcd, string service, CancellationToken cancellationToken)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddFailover(f => f.UseEtcd(o =>
        {
            o.Endpoints = [etcd.Endpoint];
            o.Services = [service];
        }));
        builder.Services.AddHttpClient("service").AddFailover(o => o.Services.Add(service));
        var host = builder.Build();
        await host.StartAsync(cancellationToken).ConfigureAwait(false);
        return host;
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = Stopwatch.GetTimestamp() + Stopwatch.Frequency * 30;
        while (!condition())
        {
            if (Stopwatch.GetTimestamp() > deadline)
            {
                throw new TimeoutException($"waited 30 s for {what}");
            }
            await Task.Delay(1).ConfigureAwait(false);
        }
    }
}
