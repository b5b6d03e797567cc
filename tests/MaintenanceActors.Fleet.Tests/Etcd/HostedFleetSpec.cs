using MaintenanceActors.Fleet.Tests.Support;
using MaintenanceActors.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace MaintenanceActors.Fleet.Tests.Etcd;

/// <summary>The fleet through <c>AddMaintenance</c> and configuration alone, as an application sets it up.</summary>
public sealed class HostedFleetSpec : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private EtcdServer _etcd = null!;
    private EtcdTestWriter _writer = null!;

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _writer = new EtcdTestWriter(_etcd.CreateClient());
    }

    public async Task DisposeAsync()
    {
        await _writer.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    private IHost Build(Dictionary<string, string?> settings)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.AddMaintenance(m => m.UseEtcd());
        return builder.Build();
    }

    [Fact]
    public async Task Must_follow_both_keys_and_publish_status_from_Maintenance_Fleet_settings_with_the_service_key_by_default()
    {
        using var host = Build(new()
        {
            ["Maintenance:Etcd:Endpoints"] = _etcd.Endpoint,
            ["Maintenance:Fleet:Service"] = "payments",
            ["Maintenance:Fleet:InstanceId"] = "payments-9",
            ["Maintenance:Fleet:StatusTtl"] = "00:00:05",
        });
        await host.StartAsync();
        try
        {
            var maintenance = host.Services.GetRequiredService<IMaintenance>();
            (await Eventually.HoldsAsync(async () => (await StatusReader.ReadAsync(_writer, "payments")).ContainsKey("payments-9"), Wait))
                .Should().BeTrue("the status is published");

            await _writer.PutAsync(FleetKeys.InstanceKey("payments", "payments-9"), "true");
            (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue("the instance key");
            await _writer.DeleteAsync(FleetKeys.InstanceKey("payments", "payments-9"));
            (await maintenance.WaitForMaintenanceModeAsync(false, Wait)).Should().BeTrue();

            await _writer.PutAsync("/maintenance/payments", "true");
            (await maintenance.WaitForMaintenanceModeAsync(true, Wait)).Should().BeTrue("the service key, /maintenance/<service> by default");
            (await maintenance.GetMaintenanceModeAsync()).Should().BeTrue();
        }
        finally
        {
            await host.StopAsync();
        }
        (await StatusReader.ReadAsync(_writer, "payments")).Should().NotContainKey("payments-9", "stopping the host took the status away");
    }

    [Theory]
    [InlineData("Maintenance:Fleet:InstanceId", "a b", "Maintenance:Fleet:InstanceId must name this instance")]
    [InlineData("Maintenance:Fleet:StatusTtl", "soon", "Maintenance:Fleet:StatusTtl must be a duration")]
    [InlineData("Maintenance:Etcd:Prefix", "true", "Maintenance:Etcd:Prefix cannot be combined with Maintenance:Fleet:Service")]
    public async Task Must_refuse_to_start_with_a_bad_fleet_setting_naming_it(string field, string value, string message)
    {
        using var host = Build(new()
        {
            ["Maintenance:Etcd:Endpoints"] = _etcd.Endpoint,
            ["Maintenance:Fleet:Service"] = "payments",
            [field] = value,
        });
        var start = async () =>
        {
            host.Services.GetRequiredService<MaintenanceCoordinator>();
            await host.StartAsync();
        };

        (await start.Should().ThrowAsync<MaintenanceConfigurationException>()).Which.Message.Should().StartWith(message);
    }
}
