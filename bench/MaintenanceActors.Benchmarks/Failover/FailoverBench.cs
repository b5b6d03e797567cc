using Akka.Actor;
using MaintenanceActors.Failover;

namespace MaintenanceActors.Benchmarks.Failover;

/// <summary>A failover client over a directory of <paramref name="count"/> healthy, busy endpoints, without an actor system (selection never asks it).</summary>
internal static class FailoverBench
{
    public static FailoverClient Client(int count, FailoverOptions? options = null)
    {
        options ??= new FailoverOptions();
        var directory = new EndpointDirectory(options, TimeProvider.System);
        var entries = Enumerable.Range(0, count).Select(i =>
        {
            var endpoint = new ServiceEndpoint($"svc/{i:000}", "svc", "127.0.0.1", 5000 + i) { Weight = 1 + i % 5, Region = i % 2 == 0 ? "eu" : "us" };
            var entry = new EndpointEntry(endpoint, "static", new EndpointCircuitBreaker(options.CircuitBreaker, TimeProvider.System));
            entry.Health = EndpointHealth.Healthy;
            // Calls in flight everywhere, so least-connections scans every endpoint as under load (an idle one would stop at the first).
            entry.Active = 1 + i % 3;
            return entry;
        }).ToArray();
        directory.Publish("svc", entries);
        return new FailoverClient(ActorRefs.Nobody, directory);
    }
}
