namespace MaintenanceActors.Fleet.Tests.Status;

/// <summary>The status JSON is the contract with maintctl and the dashboard: names, UTC times, nulls.</summary>
public sealed class InstanceStatusJsonSpec
{
    private static readonly InstanceStatus Sample = new("orders", "orders-1", "web-3", "1.4.2", 7, InstancePhases.Draining, true, "db upgrade", "alice",
        DateTimeOffset.Parse("2026-12-01T23:00:00+01:00"), InstanceStatusSources.Service, 3, DateTimeOffset.Parse("2026-12-01T21:00:00Z"), 1234,
        DateTimeOffset.Parse("2026-12-01T21:00:30Z"), new[] { new InstanceResourceStatus("http", "draining", null, 3) },
        DateTimeOffset.Parse("2026-12-01T21:00:01.234Z"));

    [Fact]
    public void Must_write_camelCase_fields_with_UTC_ISO_times_and_nulls()
    {
        var json = InstanceStatusJson.Serialize(Sample);

        json.Should().Be("""{"service":"orders","instance":"orders-1","host":"web-3","version":"1.4.2","epoch":7,"phase":"draining","inMaintenance":true,"reason":"db upgrade","by":"alice","until":"2026-12-01T22:00:00.000Z","source":"service","inFlight":3,"drainStartedAt":"2026-12-01T21:00:00.000Z","drainDurationMs":1234,"drainDeadline":"2026-12-01T21:00:30.000Z","resources":[{"name":"http","state":"draining","outcome":null,"inFlight":3}],"updatedAt":"2026-12-01T21:00:01.234Z"}""");
    }

    [Fact]
    public void Must_read_back_what_it_wrote_and_refuse_what_is_not_a_status()
    {
        InstanceStatusJson.Parse(InstanceStatusJson.Serialize(Sample)).Should().BeEquivalentTo(Sample);

        InstanceStatusJson.TryParse("""{"service":"orders"}""", out _).Should().BeFalse();
        InstanceStatusJson.TryParse("not json", out _).Should().BeFalse();
        var act = () => InstanceStatusJson.Parse("[1]");
        act.Should().Throw<FormatException>().WithMessage("not an instance status*");
    }

    [Theory]
    [InlineData("/maintenance-status/orders/orders-1", true, "orders", "orders-1")]
    [InlineData("/maintenance-status/orders", false, "", "")]
    [InlineData("/maintenance/orders/instances/orders-1", false, "", "")]
    [InlineData("/maintenance-status/orders/a/b", false, "", "")]
    public void Must_split_status_keys_into_service_and_instance(string key, bool ok, string service, string instance)
    {
        FleetKeys.TryParseStatusKey(key, out var s, out var i).Should().Be(ok);
        (s, i).Should().Be((service, instance));
    }

    [Fact]
    public void Must_lay_out_the_keys_of_the_contract()
    {
        FleetKeys.ServiceKey("orders").Should().Be("/maintenance/orders");
        FleetKeys.InstanceKey("orders", "orders-1").Should().Be("/maintenance/orders/instances/orders-1");
        FleetKeys.StatusKey("orders", "orders-1").Should().Be("/maintenance-status/orders/orders-1");
        FleetKeys.StatusPrefix("orders").Should().Be("/maintenance-status/orders/");
    }
}
