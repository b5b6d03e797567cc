using System.Net;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Hosting;

/// <summary>A forgotten <c>app.UseMaintenance()</c> must not pass silently (issue 14 item 4); a placed one is the only gate.</summary>
public sealed class GatePlacementSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_gate_requests_when_the_app_registered_the_HTTP_drain_but_forgot_UseMaintenance()
    {
        await using var server = await GatedServer.StartAsync(
            services => services.AddMaintenance(m => m.AddHttpDrain()),
            app =>
            {
                app.MapGet("/items", () => "items");
                app.MapGet("/health", () => "healthy");
            });
        var maintenance = server.Services.GetRequiredService<IMaintenance>();
        using var client = server.CreateHttp1Client();
        (await client.GetAsync("/items")).StatusCode.Should().Be(HttpStatusCode.OK);

        await maintenance.SetMaintenanceModeAsync(true, "forgotten gate");
        (await maintenance.WaitForMaintenanceModeAsync(true, Patience)).Should().BeTrue();

        var refused = await client.GetAsync("/items");
        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable, "the drain put the gate in the pipeline itself");
        refused.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        (await refused.Content.ReadAsStringAsync()).Should().Contain("forgotten gate");
        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK, "skip paths still apply");
        server.Gates.Http.GetStats().Should().Be(new RequestGateStats(InFlight: 0, Served: 1, Refused: 1, IsClosed: true));
    }

    [Fact]
    public async Task Must_keep_exactly_one_gate_when_the_app_calls_UseMaintenance_itself()
    {
        long seenBehindTheGate = 0;
        await using var server = await GatedServer.StartAsync(
            services => services.AddMaintenance(m => m.AddHttpDrain()),
            app =>
            {
                // Something the app wants in front of the gate: a request passes it before any gate counts it.
                app.Use((context, next) => next(context));
                app.UseMaintenance();
                app.Use((context, next) =>
                {
                    Interlocked.Increment(ref seenBehindTheGate);
                    return next(context);
                });
                app.MapGet("/items", () => "items");
            });
        var maintenance = server.Services.GetRequiredService<IMaintenance>();
        using var client = server.CreateHttp1Client();

        for (int i = 0; i < 3; i++)
        {
            (await client.GetAsync("/items")).StatusCode.Should().Be(HttpStatusCode.OK);
        }

        server.Gates.Http.GetStats().Should().Be(new RequestGateStats(InFlight: 0, Served: 3, Refused: 0, IsClosed: false),
            "each request passes one gate and is counted once");

        await maintenance.SetMaintenanceModeAsync(true, "one gate");
        (await maintenance.WaitForMaintenanceModeAsync(true, Patience)).Should().BeTrue();
        var refused = await client.GetAsync("/items");

        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        server.Gates.Http.GetStats().Should().Be(new RequestGateStats(InFlight: 0, Served: 3, Refused: 1, IsClosed: true),
            "a refused request is refused once");
        Interlocked.Read(ref seenBehindTheGate).Should().Be(3);
    }
}
