using System.Net;
using System.Net.Sockets;
using Grpc.Health.V1;
using MaintenanceActors.Failover.Tests.Fixtures;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Health;

public sealed class HealthCheckSpec(ITestOutputHelper output) : FailoverSpec(output)
{
    private static readonly TimeSpan Fast = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task Http_check_must_send_its_method_headers_and_body_and_compare_the_expected_status()
    {
        await using var server = await TestServer.StartHttpAsync();
        var check = new Failover.HealthCheckSpec(HealthCheckKind.Http)
        {
            Path = "/health",
            Method = "POST",
            Headers = new Dictionary<string, string> { ["X-Probe"] = "failover" },
            Body = "{\"deep\":true}",
            ExpectedStatus = 202,
            Interval = TimeSpan.FromMinutes(10),
        };
        await RegisterAsync(server.Endpoint("a", check));
        server.HealthStatus = 202;
        var report = await Client.HealthCheckAsync("svc/a");
        report.Health.Should().Be(EndpointHealth.Healthy);
        server.LastHealthRequest.Should().Be(("POST", "failover", "{\"deep\":true}"));

        server.HealthStatus = 200;
        var wrong = await Client.HealthCheckAsync("svc/a");
        wrong.Health.Should().Be(EndpointHealth.Unhealthy);
        wrong.Detail.Should().Contain("HTTP 200, expected 202");
        (await Client.GetEndpointAsync("svc/a"))!.Health.Should().Be(EndpointHealth.Unhealthy);
    }

    [Fact]
    public async Task Http_endpoint_that_dies_must_turn_unhealthy_and_come_back_when_it_returns()
    {
        var server = await TestServer.StartHttpAsync();
        await using var owned = server;
        await RegisterAsync(server.Endpoint("a", new(HealthCheckKind.Http) { Interval = Fast, Timeout = TimeSpan.FromSeconds(1) }));
        (await HealthBecomesAsync("svc/a", EndpointHealth.Healthy)).Should().BeTrue();

        await server.StopAsync();
        (await HealthBecomesAsync("svc/a", EndpointHealth.Unhealthy)).Should().BeTrue();
        Client.TrySelectEndpoint(new FailoverRequest("svc"), out _).Should().BeFalse();

        await server.StartAsync();
        (await HealthBecomesAsync("svc/a", EndpointHealth.Healthy)).Should().BeTrue();
        Client.TrySelectEndpoint(new FailoverRequest("svc"), out _).Should().BeTrue();
        (await Client.GetEventsAsync()).Where(e => e.Kind == FailoverEventKind.HealthChanged).Select(e => e.Detail)
            .Should().Contain(d => d.StartsWith("Healthy -> Unhealthy")).And.Contain(d => d.StartsWith("Unhealthy -> Healthy"));
    }

    [Fact]
    public async Task Grpc_check_must_follow_the_serving_status_and_a_server_that_dies_and_comes_back()
    {
        var server = await TestServer.StartGrpcAsync();
        await using var owned = server;
        await RegisterAsync(server.Endpoint("g", new(HealthCheckKind.Grpc) { Interval = Fast, Timeout = TimeSpan.FromSeconds(1) }));
        (await HealthBecomesAsync("svc/g", EndpointHealth.Healthy)).Should().BeTrue();

        server.GrpcHealth.SetStatus("", HealthCheckResponse.Types.ServingStatus.NotServing);
        (await HealthBecomesAsync("svc/g", EndpointHealth.Unhealthy)).Should().BeTrue();
        (await Client.GetEndpointAsync("svc/g"))!.LastHealthDetail.Should().Be("NOT_SERVING");
        server.GrpcHealth.SetStatus("", HealthCheckResponse.Types.ServingStatus.Serving);
        (await HealthBecomesAsync("svc/g", EndpointHealth.Healthy)).Should().BeTrue();

        await server.StopAsync();
        (await HealthBecomesAsync("svc/g", EndpointHealth.Unhealthy)).Should().BeTrue();
        await server.StartAsync();
        (await HealthBecomesAsync("svc/g", EndpointHealth.Healthy)).Should().BeTrue();
    }

    [Fact]
    public async Task Grpc_check_must_ask_for_the_named_service()
    {
        await using var server = await TestServer.StartGrpcAsync();
        server.GrpcHealth.SetStatus("users.v1.Users", HealthCheckResponse.Types.ServingStatus.Serving);
        await RegisterAsync(
            server.Endpoint("known", new(HealthCheckKind.Grpc) { GrpcService = "users.v1.Users", Interval = TimeSpan.FromMinutes(10) }),
            server.Endpoint("unknown", new(HealthCheckKind.Grpc) { GrpcService = "orders.v1.Orders", Interval = TimeSpan.FromMinutes(10) }));
        var reports = await Client.HealthCheckAllAsync();
        reports.Select(r => (r.Id, r.Health)).Should().Equal(("svc/known", EndpointHealth.Healthy), ("svc/unknown", EndpointHealth.Unhealthy));
    }

    [Fact]
    public async Task Tcp_check_must_follow_whether_the_port_accepts_connections()
    {
        var port = FreePort.Get();
        var listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        await RegisterAsync(new ServiceEndpoint("db/a", "db", "127.0.0.1", port) { Protocol = "tcp", HealthCheck = new(HealthCheckKind.Tcp) { Interval = TimeSpan.FromMinutes(10) } });
        (await Client.HealthCheckAsync("db/a")).Health.Should().Be(EndpointHealth.Healthy);
        listener.Stop();
        (await Client.HealthCheckAsync("db/a")).Health.Should().Be(EndpointHealth.Unhealthy);
    }

    [Fact]
    public async Task A_slow_passing_check_must_report_degraded_and_an_endpoint_without_a_check_unknown()
    {
        await using var server = await TestServer.StartHttpAsync();
        await RegisterAsync(
            server.Endpoint("slow", new(HealthCheckKind.Http) { DegradedAfter = TimeSpan.Zero, Interval = TimeSpan.FromMinutes(10) }),
            server.Endpoint("plain"));
        (await Client.HealthCheckAsync("svc/slow")).Health.Should().Be(EndpointHealth.Degraded);
        (await Client.HealthCheckAsync("svc/plain")).Health.Should().Be(EndpointHealth.Unknown);
        await Client.Invoking(c => c.HealthCheckAsync("svc/none")).Should().ThrowAsync<FailoverNotFoundException>();
    }

    private async Task<bool> HealthBecomesAsync(string id, EndpointHealth health) =>
        await Eventually.HoldsAsync(async () => (await Client.GetEndpointAsync(id))?.Health == health);
}
