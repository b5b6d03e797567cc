using MaintenanceActors.Testing;
using System.Net;
using FluentAssertions;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using MaintenanceActors.AspNetCore.Tests.Fixtures;
using MaintenanceActors.AspNetCore.Tests.Fixtures.Protos;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Xunit;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

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

        var refused = await client.GetAsync("/items");
        refused.StatusCode.Should().Be(HttpStatusCode.ServiceUnavailable);
        (await refused.Content.ReadAsStringAsync()).Should().Contain("integration upgrade", "the first refusal already carries the reason");
        await maintenance.SetMaintenanceModeAsync(true, "integration upgrade, part 2");
        (await Eventually.HoldsAsync(() => server.Gates.Http.Closure?.Reason == "integration upgrade, part 2"
            && server.Gates.Grpc.Closure?.Reason == "integration upgrade, part 2")).Should().BeTrue("a changed reason reaches the gates without a new drain");
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
    public async Task Must_report_not_ready_from_the_moment_maintenance_is_entered_while_requests_are_still_served()
    {
        var delay = TimeSpan.FromMinutes(5);
        await using var server = await GatedServer.StartAsync(
            services => services.AddMaintenance(m => m
                // Stopping the server at the end drains too, readiness delay first: keep that drain short.
                .Configure(o => o.ShutdownDrainTimeout = TimeSpan.FromSeconds(1))
                .AddHttpDrain(o => (o.ReadinessDelay, o.DrainTimeout) = (delay, delay * 2))
                .AddGrpcDrain(o => (o.ReadinessDelay, o.DrainTimeout) = (delay, delay * 2))),
            app =>
            {
                app.UseMaintenance();
                app.MapGet("/items", () => "items");
            });
        var maintenance = server.Services.GetRequiredService<IMaintenance>();
        var checks = server.Services.GetRequiredService<HealthCheckService>();
        using var client = server.CreateHttp1Client();
        (await checks.CheckHealthAsync(IsReadiness)).Status.Should().Be(HealthStatus.Healthy);

        await maintenance.SetMaintenanceModeAsync(true, "readiness first");

        (await checks.CheckHealthAsync(IsReadiness)).Status.Should().Be(HealthStatus.Unhealthy);
        (await Eventually.HoldsAsync(() => !server.HealthBoard.IsServing)).Should().BeTrue("the gRPC drain reports NOT_SERVING once it accepts the Enter");
        (await client.GetAsync("/items")).StatusCode.Should().Be(HttpStatusCode.OK, "intake stops only after the readiness delay");
        (await maintenance.GetStatusAsync()).TransitionInProgress.Should().BeTrue();

        await maintenance.SetMaintenanceModeAsync(false);
        (await maintenance.WaitForMaintenanceModeAsync(false, Patience)).Should().BeTrue();
        (await checks.CheckHealthAsync(IsReadiness)).Status.Should().Be(HealthStatus.Healthy);
        server.HealthBoard.IsServing.Should().BeTrue();
    }

    [Fact]
    public async Task Must_drive_grpc_health_and_refusals_from_the_coordinator_as_Grpc_Net_Client_sees_them()
    {
        await using var server = await GatedServer.StartAsync(
            services => services.AddMaintenance(m => m
                .AddHttpDrain()
                .AddGrpcDrain(o => o.HealthServiceNames.Add("test.Echo"))),
            app =>
            {
                app.UseMaintenance();
                GrpcTestApp.MapServices(app);
            });
        using var channel = GrpcChannel.ForAddress(server.Http2);
        var echo = new Echo.EchoClient(channel);
        var health = new Health.HealthClient(channel);
        var maintenance = server.Services.GetRequiredService<IMaintenance>();
        using var watch = health.Watch(new HealthCheckRequest { Service = "test.Echo" });
        (await NextStatusAsync()).Should().Be(ServingStatus.Serving);

        await maintenance.SetMaintenanceModeAsync(true, "coordinated upgrade");
        (await maintenance.WaitForMaintenanceModeAsync(true, Patience)).Should().BeTrue();

        (await NextStatusAsync()).Should().Be(ServingStatus.NotServing);
        var refused = await Assert.ThrowsAsync<RpcException>(() => echo.SayAsync(new StringValue { Value = "x" }).ResponseAsync.WaitAsync(Patience));
        refused.StatusCode.Should().Be(StatusCode.Unavailable);
        refused.Status.Detail.Should().Be("Service in maintenance: coordinated upgrade");
        (await health.CheckAsync(new HealthCheckRequest()).ResponseAsync.WaitAsync(Patience)).Status.Should().Be(ServingStatus.NotServing);

        await maintenance.SetMaintenanceModeAsync(false);
        (await maintenance.WaitForMaintenanceModeAsync(false, Patience)).Should().BeTrue();

        (await NextStatusAsync()).Should().Be(ServingStatus.Serving);
        (await echo.SayAsync(new StringValue { Value = "back" }).ResponseAsync.WaitAsync(Patience)).Value.Should().Be("echo:back");

        async Task<ServingStatus> NextStatusAsync()
        {
            (await watch.ResponseStream.MoveNext().WaitAsync(Patience)).Should().BeTrue();
            return watch.ResponseStream.Current.Status;
        }
    }

    private static bool IsReadiness(HealthCheckRegistration check) => check.Tags.Contains("ready");

    [Fact]
    public async Task Must_tell_the_user_to_register_the_drain_before_UseMaintenance()
    {
        var start = () => GatedServer.StartAsync(_ => { }, app => app.UseMaintenance());

        (await start.Should().ThrowAsync<InvalidOperationException>()).WithMessage("*AddHttpDrain*");
    }
}
