using System.Collections.Concurrent;
using System.Diagnostics;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Http;

/// <summary>
/// The FailoverClient sample's drill with real parts: etcd, three Kestrel instances that register themselves on leases and drain
/// with the real HTTP gate on their own maintenance key, and a client sending steady traffic through the failover handler.
/// </summary>
public sealed class MaintenanceDrillSpec(ITestOutputHelper output) : IAsyncLifetime
{
    private const string Service = "drill-service";
    private EtcdServer _etcd = null!;
    private readonly List<KestrelInstance> _instances = new();
    private readonly List<EtcdServiceRegistration> _registrations = new();

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        var options = Options();
        foreach (var name in new[] { "a", "b", "c" })
        {
            var instance = await KestrelInstance.StartAsync(name, _etcd, $"/maintenance/{Service}/instances/{name}");
            _instances.Add(instance);
            _registrations.Add(await EtcdServiceRegistration.StartAsync(options, Service, name, new InstanceRegistration("127.0.0.1", instance.Port)));
        }
    }

    public async Task DisposeAsync()
    {
        foreach (var registration in _registrations) await registration.DisposeAsync();
        foreach (var instance in _instances) await instance.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private EtcdDiscoveryOptions Options() => new() { Endpoints = [_etcd.Endpoint], Services = [Service] };

    [Fact]
    public async Task Must_stop_sending_to_an_instance_in_maintenance_without_a_failed_request_and_send_again_when_the_key_clears()
    {
        await using var client = await FailoverClientHost.StartAsync(f => f.UseEtcd(o =>
        {
            o.Endpoints = [_etcd.Endpoint];
            o.Services = [Service];
        }), http => http.Services.Add(Service));
        (await Eventually.HoldsAsync(async () => (await client.Failover.ListEndpointsAsync(Service)).Count == 3)).Should().BeTrue("all three registered");

        var log = new ConcurrentQueue<(long StartedAt, string? Instance)>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(60));   // a bound, never reached when the spec passes
        var traffic = Enumerable.Range(0, 4).Select(_ => SendAsync(client.Http, log, stop.Token)).ToArray();
        (await Eventually.HoldsAsync(() => Served(log, "b", since: 0) > 20)).Should().BeTrue("b gets traffic before the drill");

        await _etcd.EtcdCtlAsync("put", $"/maintenance/{Service}/instances/b", "{\"enabled\":true,\"reason\":\"drill\"}");
        (await Eventually.HoldsAsync(async () => (await client.Failover.GetEndpointAsync($"{Service}/b"))?.InMaintenance == true)).Should().BeTrue();
        var excluded = Stopwatch.GetTimestamp();
        (await Eventually.HoldsAsync(() => log.Count(e => e.StartedAt > excluded) > 300)).Should().BeTrue("traffic goes on");
        Served(log, "b", since: excluded).Should().Be(0, "no request started after the registry took b out may reach b");
        Served(log, "a", since: excluded).Should().BeGreaterThan(0);
        Served(log, "c", since: excluded).Should().BeGreaterThan(0);

        await _etcd.EtcdCtlAsync("del", $"/maintenance/{Service}/instances/b");
        var cleared = Stopwatch.GetTimestamp();
        (await Eventually.HoldsAsync(() => Served(log, "b", since: cleared) > 20)).Should().BeTrue("b gets traffic again once its key clears");

        stop.Cancel();
        await Task.WhenAll(traffic);
        var failed = log.Count(e => e.Instance is null);
        output.WriteLine($"{log.Count} requests, {failed} failed; a {Served(log, "a", 0)}, b {Served(log, "b", 0)}, c {Served(log, "c", 0)}");
        failed.Should().Be(0);
    }

    private static int Served(ConcurrentQueue<(long StartedAt, string? Instance)> log, string instance, long since) =>
        log.Count(e => e.StartedAt > since && e.Instance == instance);

    private static async Task SendAsync(HttpClient http, ConcurrentQueue<(long, string?)> log, CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var response = await http.GetAsync($"http://{Service}/items", stop);
                log.Enqueue((started, response.IsSuccessStatusCode ? await response.Content.ReadAsStringAsync(stop) : null));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                return;
            }
            catch (HttpRequestException)
            {
                log.Enqueue((started, null));
            }
        }
    }
}
