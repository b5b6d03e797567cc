using FluentAssertions;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Http;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Http;

public sealed class MaintenanceMiddlewareCountingSpec
{
    [Fact]
    public async Task Must_not_allocate_when_admitting_a_request_whose_handler_completes_synchronously()
    {
        var gates = new RequestGates(TimeProvider.System);
        var middleware = new MaintenanceMiddleware(_ => Task.CompletedTask, gates, new HttpDrainOptions(), TimeProvider.System, null, "in maintenance");
        var context = new DefaultHttpContext();
        context.Request.Path = "/items/42";
        context.Request.ContentType = "application/json";
        await middleware.InvokeAsync(context);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1_000; i++)
        {
            await middleware.InvokeAsync(context);
        }

        GC.GetAllocatedBytesForCurrentThread().Should().Be(before);
        gates.Http.GetStats().Served.Should().Be(1_001);
    }

    [Fact]
    public async Task Must_uncount_a_request_whose_handler_throws_synchronously_or_later()
    {
        var gates = new RequestGates(TimeProvider.System);
        var throwsAtOnce = new MaintenanceMiddleware(_ => throw new InvalidOperationException("sync"), gates, new HttpDrainOptions(), TimeProvider.System, null, "m");
        var throwsLater = new MaintenanceMiddleware(async _ => { await Task.Yield(); throw new InvalidOperationException("async"); }, gates, new HttpDrainOptions(), TimeProvider.System, null, "m");

        await throwsAtOnce.Invoking(m => m.InvokeAsync(new DefaultHttpContext())).Should().ThrowAsync<InvalidOperationException>().WithMessage("sync");
        await throwsLater.Invoking(m => m.InvokeAsync(new DefaultHttpContext())).Should().ThrowAsync<InvalidOperationException>().WithMessage("async");

        gates.Http.GetStats().Should().Be(new RequestGateStats(InFlight: 0, Served: 2, Refused: 0, IsClosed: false));
    }
}
