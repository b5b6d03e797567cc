namespace MaintenanceActors.Fleet.Tests.Values;

/// <summary>Maintenance values with windows: what the parser accepts, and what it refuses without flipping the state.</summary>
public sealed class ScheduleValueSpec
{
    private static MaintenanceValue Parse(string json) => MaintenanceValueParser.Parse(json, "/maintenance/orders", 7);

    [Fact]
    public void Must_read_one_off_and_weekly_windows_without_enabled_as_a_switched_on_schedule_that_votes_nothing_itself()
    {
        var value = Parse("""
            {"windows":[{"start":"2026-12-05T02:00:00Z","end":"2026-12-05T04:00:00Z"}],
             "weekly":[{"days":["Sat","sunday"],"start":"22:00","end":"02:00","timeZone":"Europe/Berlin"}],"reason":"patching","by":"ops"}
            """);

        value.IsMalformed.Should().BeFalse();
        value.Enabled.Should().BeFalse("the schedule source votes inside the windows; the value itself does not");
        value.Info.Should().Be(new MaintenanceInfo("patching", "ops"));
        value.Schedule!.Windows.Should().Equal(new MaintenanceWindow(DateTimeOffset.Parse("2026-12-05T02:00:00Z"), DateTimeOffset.Parse("2026-12-05T04:00:00Z")));
        var weekly = value.Schedule.Weekly.Should().ContainSingle().Subject;
        weekly.Days.Should().Equal(DayOfWeek.Saturday, DayOfWeek.Sunday);
        weekly.Start.Should().Be(new TimeOnly(22, 0));
        weekly.End.Should().Be(new TimeOnly(2, 0));
        weekly.TimeZone.Id.Should().Be("Europe/Berlin");
    }

    [Fact]
    public void Must_switch_a_schedule_off_with_enabled_false()
    {
        var value = Parse("""{"enabled":false,"windows":[{"start":"2026-12-05T02:00:00Z","end":"2026-12-05T04:00:00Z"}]}""");

        value.IsMalformed.Should().BeFalse();
        value.Enabled.Should().BeFalse();
        value.Schedule.Should().BeNull();
    }

    [Theory]
    [InlineData("""{"windows":[{"start":"2026-12-05T04:00:00Z","end":"2026-12-05T02:00:00Z"}]}""", "windows[0]\" ends before it starts")]
    [InlineData("""{"windows":[{"start":"tomorrow","end":"2026-12-05T02:00:00Z"}]}""", "windows[0]")]
    [InlineData("""{"windows":{}}""", "\"windows\" must be an array")]
    [InlineData("""{"windows":[]}""", "hold no window")]
    [InlineData("""{"weekly":[{"days":["Caturday"],"start":"02:00","end":"04:00"}]}""", "not a day")]
    [InlineData("""{"weekly":[{"days":["Sat"],"start":"2am","end":"04:00"}]}""", "times of day")]
    [InlineData("""{"weekly":[{"days":["Sat"],"start":"02:00","end":"02:00"}]}""", "same time")]
    [InlineData("""{"weekly":[{"days":["Sat"],"start":"02:00","end":"04:00","timeZone":"Mars/Olympus"}]}""", "not a known time zone")]
    [InlineData("""{"reason":"no enabled, no windows"}""", "\"enabled\" is missing")]
    public void Must_refuse_a_bad_schedule_as_malformed_naming_the_field(string json, string expected)
    {
        var value = Parse(json);

        value.IsMalformed.Should().BeTrue();
        value.Warning.Should().Contain(expected).And.Contain("/maintenance/orders").And.Contain("revision 7");
    }

    [Fact]
    public void Should_still_read_plain_values_and_enabled_json_as_before()
    {
        Parse("true").Should().Be(new MaintenanceValue(true, null, null));
        Parse("""{"enabled":true,"until":"2026-12-01T22:00:00Z"}""").Should()
            .Be(new MaintenanceValue(true, new MaintenanceInfo(null, null, DateTimeOffset.Parse("2026-12-01T22:00:00Z")), null));
    }
}
