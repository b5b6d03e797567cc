using Akka.Actor;
using Akka.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Tests.Hosting;

/// <summary>Application code that talks to the coordinator in messages, through the ActorRegistry.</summary>
public sealed class MaintenanceReader(IRequiredActor<MaintenanceSupervisor> supervisor)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public async Task<(MaintenanceStatus Status, MaintenanceHealthReport Health, ResourceStatsReport Stats)> ReadAsync()
    {
        var actor = await supervisor.GetAsync();
        return (await actor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Timeout),
            await actor.Ask<MaintenanceHealthReport>(GetHealth.Instance, Timeout),
            await actor.Ask<ResourceStatsReport>(GetResourceStats.Instance, Timeout));
    }
}

/// <summary>The coordinator in an application's own Akka.NET system (Akka.Hosting), and the two-line front door without one.</summary>
public sealed class AkkaHostingSpec
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static HostApplicationBuilder Builder()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Services.AddSingleton<HostedGate>();
        builder.Services.AddSingleton<MaintenanceReader>();
        return builder;
    }

    [Fact]
    public async Task Must_attach_to_the_applications_own_actor_system_and_answer_queries_through_IRequiredActor()
    {
        var builder = Builder();
        builder.Services.AddAkka("app", (akka, _) => akka.WithMaintenance());
        builder.Services.AddMaintenance(m => m.AddResource<HostedGateActor>("api"));
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            host.Services.GetServices<ActorSystem>().Should().ContainSingle().Which.Name.Should().Be("app", "no second actor system is created");
            host.Services.GetRequiredService<ActorRegistry>().TryGet<MaintenanceSupervisor>(out var registered).Should().BeTrue();
            registered.Path.ToString().Should().Be("akka://app/user/" + MaintenanceCoordinator.SupervisorName);
            var reader = host.Services.GetRequiredService<MaintenanceReader>();
            var (status, health, stats) = await reader.ReadAsync();
            status.Should().BeEquivalentTo(new { InMaintenance = false, Epoch = 0L });
            health.Resources.Keys.Should().Equal("api");
            stats.Resources.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Resource = "api", State = ResourceState.Running });

            var maintenance = host.Services.GetRequiredService<IMaintenance>();
            await maintenance.SetMaintenanceModeAsync(true, "app upgrade");
            (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();

            (status, health, stats) = await reader.ReadAsync();
            status.Should().BeEquivalentTo(new { InMaintenance = true, AppliedEnabled = true, Epoch = 1L });
            status.Reasons.Should().ContainSingle().Which.Should().Contain("app upgrade");
            health.InMaintenance.Should().BeTrue();
            stats.Resources.Should().ContainSingle().Which.State.Should().Be(ResourceState.InMaintenance);
            host.Services.GetRequiredService<HostedGate>().Open.Should().BeFalse();
        }
        finally
        {
            await host.StopAsync();
        }
    }

    [Fact]
    public async Task Must_run_its_own_actor_system_behind_the_two_line_front_door_and_drain_when_the_host_stops()
    {
        var builder = Builder();
        builder.Services.AddMaintenance(m => m.AddResource<HostedGateActor>("api"));
        using var host = builder.Build();
        await host.StartAsync();
        var gate = host.Services.GetRequiredService<HostedGate>();
        try
        {
            host.Services.GetRequiredService<ActorSystem>().Name.Should().Be(MaintenanceServiceCollectionExtensions.ActorSystemName);
            var (status, _, stats) = await host.Services.GetRequiredService<MaintenanceReader>().ReadAsync();
            status.InMaintenance.Should().BeFalse();
            stats.Resources.Should().ContainSingle().Which.Resource.Should().Be("api");
            var checks = host.Services.GetRequiredService<HealthCheckService>();
            (await checks.CheckHealthAsync(r => r.Tags.Contains("ready"))).Status.Should().Be(HealthStatus.Healthy);
            gate.Open.Should().BeTrue();
        }
        finally
        {
            await host.StopAsync();
        }
        gate.Open.Should().BeFalse("stopping the host ran the shutdown drain");
        host.Services.GetRequiredService<IMaintenance>().IsInMaintenance.Should().BeTrue("readiness stays unhealthy while the host goes down");
    }

    [Fact]
    public async Task Must_fail_the_start_saying_what_to_add_when_the_applications_AddAkka_forgets_WithMaintenance()
    {
        var builder = Builder();
        builder.Services.AddAkka("app", (_, _) => { });
        builder.Services.AddMaintenance(m => m.AddResource<HostedGateActor>("api"));
        using var host = builder.Build();
        try
        {
            var start = () => host.StartAsync();
            (await start.Should().ThrowAsync<InvalidOperationException>()).Which.Message.Should().Be(
                "The maintenance coordinator was registered with AddMaintenance but no actor system started it: the application " +
                "registers its own Akka.NET system, so add .WithMaintenance() to its services.AddAkka(...) configuration.");
            host.Services.GetRequiredService<MaintenanceCoordinator>().IsStarted.Should().BeFalse();
        }
        finally
        {
            await host.StopAsync();
        }
    }
}
