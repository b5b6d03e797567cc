using MaintenanceActors.Failover.Tests.Fixtures;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Client;

public sealed class RealEndpointFailoverSpec(ITestOutputHelper output) : FailoverSpec(output, new FailoverOptions
{
    CircuitBreaker = new() { FailureThreshold = 2, RecoveryTimeout = TimeSpan.FromSeconds(10) },
})
{
    [Fact]
    public async Task Calls_must_all_succeed_while_one_of_three_servers_dies_and_reach_it_again_once_it_is_back()
    {
        var servers = new[] { await TestServer.StartHttpAsync(), await TestServer.StartHttpAsync(), await TestServer.StartHttpAsync() };
        try
        {
            await RegisterAsync(servers.Select((s, i) => s.Endpoint($"n{i}")).ToArray());
            using var http = new HttpClient();
            var request = new FailoverRequest("svc") { IsFailure = r => r is HttpResponseMessage { IsSuccessStatusCode: false } };
            async Task<FailoverResult<HttpResponseMessage>> CallAsync() =>
                await Client.ExecuteWithFailoverAsync(request, (e, ct) => http.GetAsync(new Uri(e.BaseUri, "/work"), ct));

            for (var i = 0; i < 30; i++) (await CallAsync()).Success.Should().BeTrue();
            servers.Should().OnlyContain(s => s.WorkCalls > 0);

            await servers[1].StopAsync();
            var results = new List<FailoverResult<HttpResponseMessage>>();
            for (var i = 0; i < 30; i++) results.Add(await CallAsync());
            results.Should().OnlyContain(r => r.Success);
            results.Should().Contain(r => r.Attempts == 2, "calls that met the dead server moved to another");
            Directory.Find("svc")!.Entries.Single(e => e.Endpoint.Port == servers[1].Port).Breaker.State.Should().Be(CircuitState.Open);

            await servers[1].StartAsync();
            var before = servers[1].WorkCalls;
            Clock.Advance(TimeSpan.FromSeconds(10));
            for (var i = 0; i < 30; i++) (await CallAsync()).Success.Should().BeTrue();
            servers[1].WorkCalls.Should().BeGreaterThan(before);
            Directory.Find("svc")!.Entries.Should().OnlyContain(e => e.Breaker.State == CircuitState.Closed);
        }
        finally
        {
            foreach (var server in servers) await server.DisposeAsync();
        }
    }
}
