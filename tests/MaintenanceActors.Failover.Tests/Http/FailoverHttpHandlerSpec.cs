using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MaintenanceActors.Failover.Http;
using MaintenanceActors.Testing;

namespace MaintenanceActors.Failover.Tests.Http;

public sealed class FailoverHttpHandlerSpec
{
    [Fact]
    public async Task Must_send_requests_for_a_service_name_to_the_registered_endpoints()
    {
        await using var a = await KestrelInstance.StartAsync("a");
        await using var b = await KestrelInstance.StartAsync("b");
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(a.Endpoint("shop"), b.Endpoint("shop")));

        var answers = new List<string>();
        for (var i = 0; i < 10; i++)
        {
            answers.Add(await client.Http.GetStringAsync("http://shop/items"));
        }

        answers.Should().Contain("a").And.Contain("b");
    }

    [Fact]
    public async Task Must_send_an_idempotent_request_refused_with_503_to_another_endpoint_once()
    {
        await using var refusing = await KestrelInstance.StartAsync("refusing");
        await using var good = await KestrelInstance.StartAsync("good");
        refusing.Refuse = true;
        await using var client = await FailoverClientHost.StartAsync(f => f
            .AddStaticEndpoints(refusing.Endpoint("shop"), good.Endpoint("shop"))
            .Configure(o => o with { CircuitBreaker = o.CircuitBreaker with { FailureThreshold = 1000 } }));

        for (var i = 0; i < 10; i++)
        {
            using var response = await client.Http.GetAsync("http://shop/items");
            response.StatusCode.Should().Be(HttpStatusCode.OK);
            (await response.Content.ReadAsStringAsync()).Should().Be("good");
        }

        good.Hits.Should().Be(10);
        refusing.Hits.Should().BeInRange(1, 10, "each request tried the refusing endpoint at most once");
        var stats = await client.Failover.GetStatsAsync();
        stats.Calls.Should().Be(10);
        stats.Attempts.Should().Be(10 + refusing.Hits, "a retry is one more attempt of the same call, not a call of its own");
    }

    [Fact]
    public async Task Must_send_a_request_that_cannot_connect_to_another_endpoint()
    {
        await using var good = await KestrelInstance.StartAsync("good");
        var nobody = new ServiceEndpoint("shop/nobody", "shop", "127.0.0.1", FreePort.Get());
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(nobody, good.Endpoint("shop")));

        for (var i = 0; i < 6; i++)
        {
            (await client.Http.GetStringAsync("http://shop/items")).Should().Be("good");
        }
    }

    [Fact]
    public async Task Must_try_a_non_idempotent_request_once_and_return_the_refusal()
    {
        await using var refusing = await KestrelInstance.StartAsync("refusing");
        refusing.Refuse = true;
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(refusing.Endpoint("shop")));

        using var response = await client.Http.PostAsync("http://shop/items", new StringContent("pen"));

        response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        refusing.Hits.Should().Be(1);
    }

    [Fact]
    public async Task Must_resend_a_buffered_body_of_an_idempotent_request_to_the_next_endpoint()
    {
        await using var refusing = await KestrelInstance.StartAsync("refusing");
        await using var good = await KestrelInstance.StartAsync("good");
        refusing.Refuse = true;
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(refusing.Endpoint("shop"), good.Endpoint("shop")));

        for (var i = 0; i < 4; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "http://shop/items") { Content = new StreamContent(new MemoryStream("pen"u8.ToArray())) };
            request.Headers.Add("Idempotency-Key", $"k{i}");
            using var response = await client.Http.SendAsync(request);
            (await response.Content.ReadAsStringAsync()).Should().Be("good:pen");
        }
    }

    [Fact]
    public async Task Must_leave_requests_to_other_hosts_alone()
    {
        await using var a = await KestrelInstance.StartAsync("a");
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(a.Endpoint("shop")));

        (await client.Http.GetStringAsync($"http://127.0.0.1:{a.Port}/items")).Should().Be("a");
        (await client.Failover.GetStatsAsync()).Calls.Should().Be(0);
    }

    [Fact]
    public async Task Must_fail_with_a_message_naming_the_service_when_it_has_no_endpoint()
    {
        await using var client = await FailoverClientHost.StartAsync(_ => { }, http => http.Services.Add("ghost"));

        var call = () => client.Http.GetStringAsync("http://ghost/items");

        (await call.Should().ThrowAsync<HttpRequestException>()).Which.Message.Should().Contain("ghost");
    }

    [Fact]
    public async Task Must_route_a_grpc_channel_through_the_registry_and_send_an_idempotent_call_refused_with_unavailable_elsewhere()
    {
        await using var refusing = await KestrelInstance.StartAsync("refusing", grpc: true);
        await using var good = await KestrelInstance.StartAsync("good", grpc: true);
        refusing.Refuse = true;
        await using var client = await FailoverClientHost.StartAsync(f => f
            .AddStaticEndpoints(refusing.Endpoint("health", "grpc"), good.Endpoint("health", "grpc"))
            .Configure(o => o with { CircuitBreaker = o.CircuitBreaker with { FailureThreshold = 1000 } }));
        var handler = new FailoverHttpHandler(client.Failover, new FailoverHttpOptions { IdempotentGrpcMethods = { "/grpc.health.v1.Health/Check" } })
        {
            InnerHandler = new SocketsHttpHandler(),
        };
        // Through an HttpClient: given a handler chain ending in SocketsHttpHandler, the channel would balance over DNS itself.
        using var channel = GrpcChannel.ForAddress("http://health", new GrpcChannelOptions { HttpClient = new HttpClient(handler) });
        var health = new Grpc.Health.V1.Health.HealthClient(channel);

        for (var i = 0; i < 6; i++)
        {
            (await health.CheckAsync(new HealthCheckRequest())).Status.Should().Be(HealthCheckResponse.Types.ServingStatus.Serving);
        }
        good.Hits.Should().Be(6);
        refusing.Hits.Should().BeGreaterThan(0);
    }

    [Fact]
    public async Task Must_return_unavailable_for_a_grpc_call_not_declared_idempotent()
    {
        await using var refusing = await KestrelInstance.StartAsync("refusing", grpc: true);
        refusing.Refuse = true;
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(refusing.Endpoint("health", "grpc")));
        using var channel = GrpcChannel.ForAddress("http://health", new GrpcChannelOptions { HttpClient = client.Http });

        var call = async () => await new Grpc.Health.V1.Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());

        (await call.Should().ThrowAsync<RpcException>()).Which.StatusCode.Should().Be(StatusCode.Unavailable);
        refusing.Hits.Should().Be(1);
    }
}
