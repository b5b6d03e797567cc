using Akka.Actor;
using MaintenanceActors.Testing;
using Microsoft.Extensions.Time.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Fixtures;

/// <summary>A registry and client in the spec's actor system, on a manual clock and a seeded random source.</summary>
public abstract class FailoverSpec : MaintenanceTestKit
{
    protected FailoverSpec(ITestOutputHelper output, FailoverOptions? options = null, int seed = 12)
        : base(output)
    {
        Clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
        Directory = new EndpointDirectory(options ?? new FailoverOptions(), Clock, new Random(seed));
        Registry = Sys.ActorOf(EndpointRegistryActor.Props(Directory), "failover-registry");
        Client = new FailoverClient(Registry, Directory);
    }

    internal FakeTimeProvider Clock { get; }

    internal EndpointDirectory Directory { get; }

    internal IActorRef Registry { get; }

    internal FailoverClient Client { get; }

    internal static ServiceEndpoint Endpoint(string id, string name = "users", int port = 5080) =>
        new($"{name}/{id}", name, "127.0.0.1", port);

    internal async Task RegisterAsync(params ServiceEndpoint[] endpoints)
    {
        foreach (var endpoint in endpoints)
        {
            await Client.RegisterAsync(endpoint);
        }
    }

    internal async Task SetHealthAsync(string id, EndpointHealth health)
    {
        Registry.Tell(new EndpointHealthReport(id, health, "set by the spec", TimeSpan.Zero, Clock.GetUtcNow()));
        (await Client.GetEndpointAsync(id))!.Health.Should().Be(health);
    }

    /// <summary>How many of <paramref name="picks"/> selections land on each endpoint id.</summary>
    internal Dictionary<string, int> Distribution(FailoverRequest request, int picks)
    {
        var counts = new Dictionary<string, int>();
        for (var i = 0; i < picks; i++)
        {
            Client.TrySelectEndpoint(request, out var endpoint).Should().BeTrue();
            counts[endpoint!.Id] = counts.GetValueOrDefault(endpoint.Id) + 1;
        }
        return counts;
    }
}
