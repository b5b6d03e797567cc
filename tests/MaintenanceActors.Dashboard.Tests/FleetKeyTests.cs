using MaintenanceActors.Dashboard.Watch;

namespace MaintenanceActors.Dashboard.Tests;

public sealed class FleetKeyTests
{
    [Theory]
    [InlineData("/maintenance/orders", "Service", "orders", null)]
    [InlineData("/maintenance/orders/instances/orders-1", "Instance", "orders", "orders-1")]
    [InlineData("/maintenance-status/orders/orders-1", "Status", "orders", "orders-1")]
    public void Should_read_the_keys_of_the_fleet_contract(string key, string kind, string service, string? instance)
    {
        FleetKey.TryParse(key, "/maintenance/", "/maintenance-status/").Should().Be(new FleetKey(key, Enum.Parse<FleetKeyKind>(kind), service, instance));
    }

    [Theory]
    [InlineData("/maintenance/")]
    [InlineData("/maintenance/orders/instances/")]
    [InlineData("/maintenance/orders/instances/a/b")]
    [InlineData("/maintenance/orders/other/x")]
    [InlineData("/maintenance-status/orders")]
    [InlineData("/maintenance-status/orders/")]
    [InlineData("/maintenance-status/orders/a/b")]
    [InlineData("/maintenance-roll/orders/slots/orders-1")]
    public void Must_skip_keys_the_contract_does_not_define(string key)
    {
        FleetKey.TryParse(key, "/maintenance/", "/maintenance-status/").Should().BeNull();
    }

    [Fact]
    public void Should_build_the_keys_it_writes()
    {
        FleetKey.MaintenanceKey("/maintenance/", "orders", null).Should().Be("/maintenance/orders");
        FleetKey.MaintenanceKey("/maintenance/", "orders", "orders-1").Should().Be("/maintenance/orders/instances/orders-1");
    }
}
