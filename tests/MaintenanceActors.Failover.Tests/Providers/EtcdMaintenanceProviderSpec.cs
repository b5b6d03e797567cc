using Akka.Actor;
using Akka.TestKit;
using MaintenanceActors.Failover.Providers;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Failover.Tests.Providers;

public sealed class EtcdMaintenanceProviderSpec(EtcdProviderFixture fixture, ITestOutputHelper output)
    : MaintenanceTestKit(output), IClassFixture<EtcdProviderFixture>
{
    private TestProbe Start(params string[] services)
    {
        var registry = CreateTestProbe();
        var options = fixture.Options(services: services);
        Sys.ActorOf(EtcdMaintenanceProvider.Props(registry, options, EtcdProviderFixture.Backend(options)));
        return registry;
    }

    [Fact]
    public async Task Must_put_one_instance_in_maintenance_with_one_watch_event_and_take_it_out_when_the_key_clears()
    {
        var registry = Start("catalog");
        await fixture.Writer.PutAsync("/maintenance/catalog/instances/c2", "{\"enabled\":true,\"reason\":\"kernel upgrade\"}");
        registry.ExpectMsg<SetEndpointMaintenance>().Should().Be(new SetEndpointMaintenance("catalog/c2", true, "kernel upgrade", ProviderSources.Maintenance));

        await fixture.Writer.PutAsync("/maintenance/catalog/instances/c2", "false");
        registry.ExpectMsg<SetEndpointMaintenance>().Should().Be(new SetEndpointMaintenance("catalog/c2", false, null, ProviderSources.Maintenance));

        await fixture.Writer.PutAsync("/maintenance/catalog/instances/c2", "on");
        registry.ExpectMsg<SetEndpointMaintenance>().InMaintenance.Should().BeTrue();
        await fixture.Writer.DeleteAsync("/maintenance/catalog/instances/c2");
        registry.ExpectMsg<SetEndpointMaintenance>().InMaintenance.Should().BeFalse("a deleted key means off");
    }

    [Fact]
    public async Task Must_put_the_whole_service_in_maintenance_when_its_service_key_is_on()
    {
        await fixture.Writer.PutAsync("/maintenance/stock", "true");
        var registry = Start("stock");
        registry.ExpectMsg<SetServiceMaintenance>().Should().Be(new SetServiceMaintenance("stock", true, null, ProviderSources.Maintenance));

        await fixture.Writer.PutAsync("/maintenance/stock", "{\"enabled\":false}");
        registry.ExpectMsg<SetServiceMaintenance>().InMaintenance.Should().BeFalse();
    }

    [Fact]
    public async Task Must_change_nothing_for_a_malformed_value_or_a_key_it_does_not_know()
    {
        var registry = Start("ledger");
        await fixture.Writer.PutAsync("/maintenance/ledger/instances/l1", "true");
        registry.ExpectMsg<SetEndpointMaintenance>().InMaintenance.Should().BeTrue();

        await fixture.Writer.PutAsync("/maintenance/ledger/instances/l1", "{\"enabled\":maybe}");
        await fixture.Writer.PutAsync("/maintenance/ledger/other/l1", "true");
        await fixture.Writer.PutAsync("/maintenance/ledger/instances/l9", "true");

        // The malformed value and the unknown key told the registry nothing: the next message is l9's.
        registry.ExpectMsg<SetEndpointMaintenance>().Id.Should().Be("ledger/l9");
    }

    [Fact]
    public async Task Must_not_follow_services_it_was_not_asked_to_follow()
    {
        var registry = Start("alpha");
        await fixture.Writer.PutAsync("/maintenance/beta", "true");
        await fixture.Writer.PutAsync("/maintenance/alpha", "true");
        registry.ExpectMsg<SetServiceMaintenance>().ServiceName.Should().Be("alpha");
    }
}
