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

public sealed class RealGrpcFailoverSpec(ITestOutputHelper output) : FailoverSpec(output, new FailoverOptions
{
    CircuitBreaker = new() { FailureThreshold = 1, RecoveryTimeout = TimeSpan.FromSeconds(5) },
})
{
    [Fact]
    public async Task Grpc_calls_must_move_off_a_server_that_dies_with_UNAVAILABLE_and_return_to_it_once_it_is_back()
    {
        var servers = new[] { await TestServer.StartGrpcAsync(), await TestServer.StartGrpcAsync() };
        var channels = new Dictionary<string, Grpc.Net.Client.GrpcChannel>();
        try
        {
            await RegisterAsync(servers.Select((s, i) => s.Endpoint($"g{i}")).ToArray());
            var request = new FailoverRequest("svc") { Strategy = FailoverStrategy.RoundRobin };
            async Task<FailoverResult<string>> CallAsync() => await Client.ExecuteWithFailoverAsync(request, async (e, ct) =>
            {
                if (!channels.TryGetValue(e.Id, out var channel))
                {
                    channels[e.Id] = channel = Grpc.Net.Client.GrpcChannel.ForAddress(e.BaseUri);
                }
                var reply = await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new Grpc.Health.V1.HealthCheckRequest(), cancellationToken: ct);
                return $"{e.Id} {reply.Status}";
            });

            (await CallAsync()).Success.Should().BeTrue();
            await servers[0].StopAsync();
            var results = new List<FailoverResult<string>>();
            for (var i = 0; i < 6; i++) results.Add(await CallAsync());
            results.Should().OnlyContain(r => r.Success && r.Result == "svc/g1 Serving");
            var moved = results.Where(r => r.Attempts == 2).Should().ContainSingle().Subject;
            (await Client.GetStatsAsync()).PerEndpoint.Single(e => e.Id == "svc/g0").Circuit.Should().Be(CircuitState.Open);

            await servers[0].StartAsync();
            // The gRPC channel backs off its reconnects on real time; wait until it reaches the server again.
            var health = new Grpc.Health.V1.Health.HealthClient(channels["svc/g0"]);
            (await Eventually.HoldsAsync(async () =>
            {
                try
                {
                    await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());
                    return true;
                }
                catch (Grpc.Core.RpcException)
                {
                    return false;
                }
            })).Should().BeTrue();
            Clock.Advance(TimeSpan.FromSeconds(5));
            var after = new List<string?>();
            for (var i = 0; i < 4; i++) after.Add((await CallAsync()).Result);
            after.Should().Contain("svc/g0 Serving");
        }
        finally
        {
            foreach (var channel in channels.Values) channel.Dispose();
            foreach (var server in servers) await server.DisposeAsync();
        }
    }
}
