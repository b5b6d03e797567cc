namespace MaintenanceActors.Fleet.Tests.Status;

/// <summary>Bad fleet settings stop the start with the setting's name.</summary>
public sealed class FleetOptionsSpec
{
    [Theory]
    [InlineData(null, "orders-1", "Maintenance:Fleet:Service")]
    [InlineData("orders/eu", "orders-1", "Maintenance:Fleet:Service")]
    [InlineData("orders", "", "Maintenance:Fleet:InstanceId")]
    [InlineData("orders", "a/b", "Maintenance:Fleet:InstanceId")]
    public void Must_name_the_bad_setting(string? service, string instance, string field)
    {
        var act = () => new FleetOptions { Service = service, InstanceId = instance }.Validate();

        act.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be(field);
    }

    [Fact]
    public void Must_refuse_a_status_ttl_below_two_seconds_or_in_fractions()
    {
        var act = () => new FleetOptions { Service = "orders", StatusTtl = TimeSpan.FromMilliseconds(1500) }.Validate();

        act.Should().Throw<MaintenanceConfigurationException>().Which.Field.Should().Be("Maintenance:Fleet:StatusTtl");
    }

    [Fact]
    public void Should_default_the_instance_id_to_the_host_name()
    {
        new FleetOptions().InstanceId.Should().Be(Environment.MachineName);
    }
}
