using BenchmarkDotNet.Attributes;
using MaintenanceActors.AspNetCore;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace MaintenanceActors.Benchmarks.AspNetCore;

/// <summary>
/// Time and bytes the maintenance middleware adds to a request on its normal path (gate open), against the
/// bare no-op handler it calls. Built through the public <c>AddHttpDrain</c> + <c>UseMaintenance</c>, as an app does.
/// </summary>
[MemoryDiagnoser]
public class MiddlewareBenchmarks
{
    private static readonly RequestDelegate NoOp = static _ => Task.CompletedTask;
    private ServiceProvider services = null!;
    private RequestDelegate pipeline = null!;
    private DefaultHttpContext request = null!;
    private DefaultHttpContext skipped = null!;

    [GlobalSetup]
    public void Setup()
    {
        var collection = new ServiceCollection();
        collection.AddMaintenance(m => m.AddHttpDrain());
        services = collection.BuildServiceProvider();
        var app = new ApplicationBuilder(services);
        app.UseMaintenance();
        app.Run(NoOp);
        pipeline = app.Build();
        request = Context("/orders/42");
        skipped = Context("/health/ready");
    }

    [GlobalCleanup]
    public void Cleanup() => services.Dispose();

    /// <summary>The handler alone: what any request costs without the gate.</summary>
    [Benchmark(Baseline = true)]
    public Task NoOpNext() => NoOp(request);

    /// <summary>Counted through the open gate, handler, uncounted in the finally.</summary>
    [Benchmark]
    public Task GatedRequest() => pipeline(request);

    /// <summary>A skip-listed path (health probes): matched and passed straight on.</summary>
    [Benchmark]
    public Task SkippedPath() => pipeline(skipped);

    private DefaultHttpContext Context(string path)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Request.Method = HttpMethods.Get;
        context.Request.Path = path;
        return context;
    }
}
