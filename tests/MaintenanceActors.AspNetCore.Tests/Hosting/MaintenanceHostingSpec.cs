using System.Net;
using FluentAssertions;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace MaintenanceActors.AspNetCore.Tests.Hosting;

/// <summary>The whole path through the public API: AddMaintenance + AddHttpDrain/AddGrpcDrain + UseMaintenance, driven by IMaintenance.</summary>
public sealed class MaintenanceHostingSpec
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_refuse_with_the_reason_while_in_maintenance_and_serve_again_after_it()
    {
        await using var server = await GatedServer.StartAsync(
            services => services.AddMaintenance(m => m
                .AddHttpDrain(o => o.DrainTimeout = TimeSpan.FromSeconds(10))
                .AddGrpcDrain(o => o.HealthServiceNames.Add("test.Echo"))),
            app =>
            {
                app.UseMaintenance();
                app.MapGet("/items", () => "items");
                app.MapGet("/health", () => "healthy");
            });
        await using var peer = await PythonGrpcPeer.StartAsync(server.GrpcTarget);
        var maintenance = server.Services.GetRequiredService<IMaintenance>();
        using var client = server.CreateHttp1Client();
        (await client.GetAsync("/items")).StatusCode.Should().Be(HttpStatusCode.OK);

        await maintenance.SetMaintenanceModeAsync(true, "integration upgrade");
        (await maintenance.WaitForMaintenanceModeAsync(true, Patience)).Should().BeTrue();

        (await RefusalWithReasonAsync(client, "integration upgrade")).Should().BeTrue();
        (await client.GetAsync("/health")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await peer.CallAsync("check", new { service = "test.Echo" })).GetProperty("status").GetString().Should().Be("NOT_SERVING");
        var status = await maintenance.GetStatusAsync();
        status.LastTransition!.Drains.Select(d => (d.Resource, d.Outcome)).Should().BeEquivalentTo(
            new[] { ("http", DrainOutcome.Drained), ("grpc", DrainOutcome.Drained) });

        await maintenance.SetMaintenanceModeAsync(false);
        (await maintenance.WaitForMaintenanceModeAsync(false, Patience)).Should().BeTrue();

        (await client.GetAsync("/items")).StatusCode.Should().Be(HttpStatusCode.OK);
        (await peer.CallAsync("check", new { service = "test.Echo" })).GetProperty("status").GetString().Should().Be("SERVING");
    }

    [Fact]
    public async Task Must_tell_the_user_to_register_the_drain_before_UseMaintenance()
    {
        var start = () => GatedServer.StartAsync(_ => { }, app => app.UseMaintenance());

        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*AddHttpDrain*");
    }

    /// <summary>The reason reaches the gate a moment after intake stops (the drain actor asks the supervisor), so poll for it.</summary>
    private static async Task<bool> RefusalWithReasonAsync(HttpClient client, string reason)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (DateTime.UtcNow < deadline)
        {
            var response = await client.GetAsync("/items");
            if (response.StatusCode == HttpStatusCode.ServiceUnavailable && (await response.Content.ReadAsStringAsync()).Contains(reason, StringComparison.Ordinal))
            {
                return true;
            }

            response.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        }

        return false;
    }
}
