using BenchmarkDotNet.Attributes;
using MaintenanceActors.Failover;
using Polly;
using Polly.Retry;

namespace MaintenanceActors.Benchmarks.Failover;

/// <summary>
/// What <c>ExecuteWithFailoverAsync</c> adds to a call that succeeds at once (select, count, breaker, Polly retry, result)
/// against calling the function directly, and against a bare Polly retry pipeline around the same function.
/// </summary>
[MemoryDiagnoser]
public class ExecuteWithFailoverBenchmarks
{
    private static readonly Task<int> Answer = Task.FromResult(42);
    private static readonly Func<ServiceEndpoint, CancellationToken, Task<int>> Fn = static (_, _) => Answer;
    private static readonly FailoverRequest Request = new("svc");
    private IFailoverClient client = null!;
    private ServiceEndpoint endpoint = null!;
    private ResiliencePipeline polly = null!;

    [GlobalSetup]
    public void Setup()
    {
        client = FailoverBench.Client(3);
        client.TrySelectEndpoint(Request, out var selected);
        endpoint = selected!;
        polly = new ResiliencePipelineBuilder().AddRetry(new RetryStrategyOptions { MaxRetryAttempts = 2, Delay = TimeSpan.Zero }).Build();
    }

    /// <summary>The function alone, on an endpoint chosen beforehand.</summary>
    [Benchmark(Baseline = true)]
    public async Task<int> DirectCall() => await Fn(endpoint, CancellationToken.None);

    /// <summary>The same function through a bare Polly v8 retry pipeline.</summary>
    [Benchmark]
    public async Task<int> BarePolly() =>
        await polly.ExecuteAsync(static (state, ct) => new ValueTask<int>(Fn(state, ct)), endpoint, CancellationToken.None);

    /// <summary>Through the failover client: selection, breaker, counters, the Polly retry, the result record.</summary>
    [Benchmark]
    public async Task<int> ExecuteWithFailover() => (await client.ExecuteWithFailoverAsync(Request, Fn)).Result;
}
