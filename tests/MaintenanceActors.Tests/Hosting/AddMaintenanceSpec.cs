using Akka.Hosting;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Tests.Hosting;

/// <summary>A resource built by DI (constructor injection), as a real resource kind would be.</summary>
public sealed class HostedGate
{
    public volatile bool Open = true;
}

public sealed class HostedGateActor(HostedGate gate) : DrainableResourceActor
{
    protected override long InFlight => 0;
    protected override void StopIntake() => gate.Open = false;
    protected override void ResumeIntake() => gate.Open = true;
    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

public sealed class AddMaintenanceSpec : IClassFixture<EtcdServerFixture>
{
    private const string Key = "/maintenance/hosted";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly EtcdServerFixture _etcd;

    public AddMaintenanceSpec(EtcdServerFixture etcd) => _etcd = etcd;

    private IHost Build(Dictionary<string, string?> settings, Action<MaintenanceBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddSingleton<HostedGate>();
        builder.Services.AddMaintenance(m =>
        {
            m.UseEtcd().AddResource<HostedGateActor>("api", o => o.DrainTimeout = TimeSpan.FromSeconds(5));
            configure?.Invoke(m);
        });
        return builder.Build();
    }

    private Dictionary<string, string?> Valid(string key = Key) => new()
    {
        ["Maintenance:Etcd:Endpoints"] = $"{_etcd.Server.Endpoint.Replace("http://", "")},{_etcd.Server.Endpoint}",
        ["Maintenance:Etcd:Key"] = key,
        ["Maintenance:DrainTimeout"] = "00:00:10",
    };

    [Fact]
    public async Task Must_start_with_the_host_register_the_supervisor_and_report_readiness_from_the_maintenance_state()
    {
        using var host = Build(Valid(Key + "/1"));
        await host.StartAsync();
        try
        {
            var maintenance = host.Services.GetRequiredService<IMaintenance>();
            var registry = host.Services.GetRequiredService<ActorRegistry>();
            registry.TryGet<MaintenanceSupervisor>(out var supervisor).Should().BeTrue();
            supervisor.Path.ToString().Should().EndWith(MaintenanceCoordinator.SupervisorName);
            var checks = host.Services.GetRequiredService<HealthCheckService>();
            (await checks.CheckHealthAsync(r => r.Tags.Contains("ready"))).Status.Should().Be(HealthStatus.Healthy);

            await maintenance.SetMaintenanceModeAsync(true, "hosted test");
            (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue();
            host.Services.GetRequiredService<HostedGate>().Open.Should().BeFalse("the DI-built resource drained");
            (await checks.CheckHealthAsync(r => r.Tags.Contains("ready"))).Status.Should().Be(HealthStatus.Unhealthy);
            var live = await checks.CheckHealthAsync(r => r.Tags.Contains("live"));
            live.Status.Should().Be(HealthStatus.Healthy);
            live.Entries["maintenance-coordinator"].Data.Should().ContainKey("source:etcd").And.ContainKey("resource:api");

            await maintenance.SetMaintenanceModeAsync(false);
            (await maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();
            (await checks.CheckHealthAsync(r => r.Tags.Contains("ready"))).Status.Should().Be(HealthStatus.Healthy);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    public static TheoryData<string, string?, string> InvalidSettings => new()
    {
        { "Maintenance:Etcd:Endpoints", "", "Maintenance:Etcd:Endpoints must name at least one endpoint (e.g. http://127.0.0.1:2379)" },
        { "Maintenance:Etcd:Endpoints", "ftp://nowhere:1", "Maintenance:Etcd:Endpoints contains 'ftp://nowhere:1'" },
        { "Maintenance:Etcd:Key", "", "Maintenance:Etcd:Key must name the maintenance key" },
        { "Maintenance:Etcd:Username", "root", "Maintenance:Etcd:Password must be set together" },
        { "Maintenance:Etcd:ReconnectJitter", "2", "Maintenance:Etcd:ReconnectJitter must be between 0 and 1" },
        { "Maintenance:Etcd:Prefix", "maybe", "Maintenance:Etcd:Prefix must be true or false" },
        { "Maintenance:Etcd:CaCertificatePath", "/nonexistent/ca.pem", "Maintenance:Etcd:CaCertificatePath names '/nonexistent/ca.pem', which does not exist" },
        { "Maintenance:DrainTimeout", "soon", "Maintenance:DrainTimeout must be a duration such as 00:00:30, but was 'soon'" },
        { "Maintenance:DrainTimeout", "00:00:00", "Maintenance:DrainTimeout must be a positive duration" },
        { "Maintenance:Debounce", "-00:00:01", "Maintenance:Debounce must be zero (off) or positive" },
    };

    [Theory]
    [MemberData(nameof(InvalidSettings))]
    public async Task Must_refuse_to_start_with_an_error_naming_the_invalid_field(string key, string? value, string message)
    {
        var settings = Valid();
        settings[key] = value;
        using var host = Build(settings);
        var start = () => host.StartAsync();
        (await start.Should().ThrowAsync<MaintenanceConfigurationException>()).Which.Message.Should().StartWith(message);
    }

    [Fact]
    public void Must_reject_duplicate_resource_names_and_a_second_AddMaintenance()
    {
        var services = new ServiceCollection();
        var twice = () => services.AddMaintenance(m => m.AddResource<HostedGateActor>("api").AddResource<HostedGateActor>("api"));
        twice.Should().Throw<MaintenanceConfigurationException>().Which.Message.Should().Be(
            "Maintenance:Resources:api is registered twice; give each resource a unique name");
        var bad = () => new ServiceCollection().AddMaintenance(m => m.AddResource<HostedGateActor>("no spaces"));
        bad.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Resources:no spaces");
        var collection = new ServiceCollection();
        collection.AddMaintenance(_ => { });
        var again = () => collection.AddMaintenance(_ => { });
        again.Should().Throw<InvalidOperationException>().Which.Message.Should().Contain("called twice");
    }
}

/// <summary>One etcd for a test class whose tests use distinct keys.</summary>
public sealed class EtcdServerFixture : IAsyncLifetime
{
    public EtcdServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await EtcdServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}
