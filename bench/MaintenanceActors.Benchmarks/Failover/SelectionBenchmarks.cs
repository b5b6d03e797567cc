using BenchmarkDotNet.Attributes;
using MaintenanceActors.Failover;

namespace MaintenanceActors.Benchmarks.Failover;

/// <summary>One endpoint selection among 100 healthy endpoints, per algorithm and for the two group strategies.</summary>
[MemoryDiagnoser]
public class SelectionBenchmarks
{
    private FailoverClient client = null!;
    private FailoverRequest request = null!;

    [Params("RoundRobin", "Random", "Weighted", "LeastConnections", "KeyHash", "HealthBased", "Geographic")]
    public string Selection { get; set; } = "RoundRobin";

    [GlobalSetup]
    public void Setup()
    {
        client = FailoverBench.Client(100, new FailoverOptions { RegionOrder = ["eu"] });
        request = Enum.TryParse<LoadBalancingAlgorithm>(Selection, out var algorithm)
            ? new FailoverRequest("svc") { Algorithm = algorithm, Key = "203.0.113.7" }
            : new FailoverRequest("svc") { Strategy = Enum.Parse<FailoverStrategy>(Selection), Region = "us" };
    }

    [Benchmark]
    public ServiceEndpoint? Select()
    {
        client.TrySelectEndpoint(request, out var endpoint);
        return endpoint;
    }
}
