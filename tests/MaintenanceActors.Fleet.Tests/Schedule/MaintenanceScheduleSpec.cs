namespace MaintenanceActors.Fleet.Tests.Schedule;

/// <summary>Evaluating windows: inside or not, until when, and the next boundary.</summary>
public sealed class MaintenanceScheduleSpec
{
    private static DateTimeOffset At(string iso) => DateTimeOffset.Parse(iso, System.Globalization.CultureInfo.InvariantCulture);

    private static MaintenanceSchedule OneOff(params (string Start, string End)[] windows) =>
        new(windows.Select(w => new MaintenanceWindow(At(w.Start), At(w.End))).ToArray(), Array.Empty<WeeklyWindow>());

    private static MaintenanceSchedule Weekly(string zone, TimeOnly start, TimeOnly end, params DayOfWeek[] days) =>
        new(Array.Empty<MaintenanceWindow>(), new[] { new WeeklyWindow(days, start, end, TimeZoneInfo.FindSystemTimeZoneById(zone)) });

    [Fact]
    public void Must_be_inside_a_window_from_its_start_inclusive_to_its_end_exclusive()
    {
        var schedule = OneOff(("2026-12-05T02:00:00Z", "2026-12-05T04:00:00Z"));

        schedule.Evaluate(At("2026-12-05T01:59:59.999Z")).Should().Be(new ScheduleState(false, null, At("2026-12-05T02:00:00Z")));
        schedule.Evaluate(At("2026-12-05T02:00:00Z")).Should().Be(new ScheduleState(true, At("2026-12-05T04:00:00Z"), At("2026-12-05T04:00:00Z")));
        schedule.Evaluate(At("2026-12-05T04:00:00Z")).Should().Be(new ScheduleState(false, null, null));
    }

    [Fact]
    public void Must_run_overlapping_and_touching_windows_together_until_the_last_ends()
    {
        var schedule = OneOff(("2026-12-05T02:00:00Z", "2026-12-05T03:00:00Z"), ("2026-12-05T03:00:00Z", "2026-12-05T03:30:00Z"),
            ("2026-12-05T02:30:00Z", "2026-12-05T03:10:00Z"), ("2026-12-06T00:00:00Z", "2026-12-06T01:00:00Z"));

        schedule.Evaluate(At("2026-12-05T02:10:00Z")).ActiveUntil.Should().Be(At("2026-12-05T03:30:00Z"));
        schedule.Evaluate(At("2026-12-05T03:30:00Z")).Should().Be(new ScheduleState(false, null, At("2026-12-06T00:00:00Z")));
    }

    [Fact]
    public void Must_open_a_weekly_window_on_its_days_in_its_time_zone_and_run_past_midnight_when_the_end_is_earlier()
    {
        // 2026-12-05 is a Saturday; Berlin is UTC+1 in December.
        var schedule = Weekly("Europe/Berlin", new TimeOnly(23, 0), new TimeOnly(1, 0), DayOfWeek.Saturday);

        schedule.Evaluate(At("2026-12-05T12:00:00Z")).Should().Be(new ScheduleState(false, null, At("2026-12-05T22:00:00Z")));
        schedule.Evaluate(At("2026-12-05T23:30:00Z")).Should().Be(new ScheduleState(true, At("2026-12-06T00:00:00Z"), At("2026-12-06T00:00:00Z")));
        schedule.Evaluate(At("2026-12-06T00:00:00Z")).NextChange.Should().Be(At("2026-12-12T22:00:00Z"), "the next Saturday");
    }

    [Fact]
    public void Must_follow_daylight_saving_time_of_the_zone()
    {
        // Berlin switches to summer time (UTC+2) on 2027-03-28.
        var schedule = Weekly("Europe/Berlin", new TimeOnly(2, 0), new TimeOnly(4, 0), DayOfWeek.Saturday);

        schedule.Evaluate(At("2027-03-21T12:00:00Z")).NextChange.Should().Be(At("2027-03-27T01:00:00Z"), "UTC+1 before the switch");
        schedule.Evaluate(At("2027-03-28T12:00:00Z")).NextChange.Should().Be(At("2027-04-03T00:00:00Z"), "UTC+2 after it");
    }
}
