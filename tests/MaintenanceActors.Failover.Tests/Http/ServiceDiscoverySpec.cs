using MaintenanceActors.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Failover.Tests.Http;

/// <summary>Microsoft.Extensions.ServiceDiscovery resolving <c>http://{service}</c> through the failover registry.</summary>
public sealed class ServiceDiscoverySpec
{
    [Fact]
    public async Task Must_resolve_a_service_name_to_its_selectable_endpoints_and_follow_maintenance()
    {
        await using var a = await KestrelInstance.StartAsync("a");
        await using var b = await KestrelInstance.StartAsync("b");
        await using var client = await FailoverClientHost.StartAsync(f => f.AddStaticEndpoints(a.Endpoint("catalog"), b.Endpoint("catalog")),
            services: s =>
            {
                s.AddServiceDiscoveryCore();
                s.AddFailoverServiceEndpointProvider(o => o.RefreshInterval = TimeSpan.FromMilliseconds(20));
                s.AddHttpClient("discovered").AddServiceDiscovery();
            });
        var http = client.Services.GetRequiredService<IHttpClientFactory>().CreateClient("discovered");

        var answers = new List<string>();
        for (var i = 0; i < 8; i++)
        {
            answers.Add(await http.GetStringAsync("http://catalog/items"));
        }
        answers.Should().Contain("a").And.Contain("b");

        client.Failover.Registry.Tell(new SetEndpointMaintenance("catalog/a", true, "drill"), Akka.Actor.ActorRefs.NoSender);
        (await Eventually.HoldsAsync(async () =>
        {
            for (var i = 0; i < 4; i++)
            {
                if (await http.GetStringAsync("http://catalog/items") != "b") return false;
            }
            return true;
        })).Should().BeTrue("the resolver refreshes when a goes into maintenance");
        var before = a.Hits;
        for (var i = 0; i < 20; i++)
        {
            (await http.GetStringAsync("http://catalog/items")).Should().Be("b");
        }
        a.Hits.Should().Be(before);

        client.Failover.Registry.Tell(new SetEndpointMaintenance("catalog/a", false), Akka.Actor.ActorRefs.NoSender);
        (await Eventually.HoldsAsync(async () => await http.GetStringAsync("http://catalog/items") == "a")).Should().BeTrue();
    }
}
