using Akka.Actor;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Fleet.Tests.Supervision;

/// <summary>"until" and scheduled windows on the coordinator's virtual clock, without etcd (the etcd path is in FleetEtcdSpec).</summary>
public sealed class UntilAndWindowSpec : VirtualClockTestKit, IAsyncLifetime
{
    private const string Key = "/maintenance/orders";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private readonly MaintenanceCoordinator _coordinator;
    private long _revision;

    public UntilAndWindowSpec(ITestOutputHelper output) : base(output)
    {
        _coordinator = new MaintenanceCoordinator(Sys);
        _coordinator.Start();
    }

    // Both have subscribed to the EventStream once they answered (an actor answers only after its PreStart ran).
    public async Task InitializeAsync()
    {
        await _coordinator.GetStatusAsync();
        await Sys.ActorSelection("/user/maintenance-source-" + ScheduleSourceActor.Name).Ask<SourceHealth>(GetHealth.Instance, Wait);
    }

    public async Task DisposeAsync() => await _coordinator.DisposeAsync();

    private void Publish(bool enabled, MaintenanceInfo? info = null, MaintenanceSchedule? schedule = null, string source = "etcd") =>
        Sys.EventStream.Publish(new MaintenanceStateChanged(source, Key, enabled, info, ++_revision, Time.UtcNow, Schedule: schedule));

    private async Task<MaintenanceStatus> Status() => await _coordinator.GetStatusAsync();

    private async Task Settled(Func<MaintenanceStatus, bool> condition, string because) =>
        (await Eventually.HoldsAsync(async () => condition(await Status()), Wait)).Should().BeTrue(because);

    [Fact]
    public async Task Must_end_maintenance_exactly_at_until_on_the_coordinators_clock()
    {
        var until = Time.UtcNow.AddHours(1);
        Publish(true, new MaintenanceInfo("db upgrade", "alice", until));
        await Settled(s => s.InMaintenance && s.AppliedEnabled, "the vote is on and until lies ahead");

        Time.Advance(TimeSpan.FromHours(1) - TimeSpan.FromMilliseconds(1));
        (await Status()).InMaintenance.Should().BeTrue("a millisecond before until it still holds");

        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await Status()).InMaintenance.Should().BeFalse("at until the vote counts as off");
        (await Status()).Should().Match<MaintenanceStatus>(s => s.Reasons.Count == 0 && s.Votes.Single().Info!.Until == until, "the expired vote shows as off, with its until");
        await Settled(s => !s.AppliedEnabled && !s.TransitionInProgress, "the resources resumed");
    }

    [Fact]
    public async Task Must_ignore_a_value_whose_until_already_passed_and_follow_an_extended_until()
    {
        Publish(true, new MaintenanceInfo("forgotten", "bob", Time.UtcNow.AddMinutes(-1)));
        await Settled(s => s.Votes.Any(v => v.Revision == _revision), "the vote arrived");
        (await Status()).InMaintenance.Should().BeFalse();

        Publish(true, new MaintenanceInfo("again", "bob", Time.UtcNow.AddMinutes(10)));
        await Settled(s => s.InMaintenance, "a fresh until");
        Publish(true, new MaintenanceInfo("longer", "bob", Time.UtcNow.AddMinutes(30)));
        await Settled(s => s.Votes.Any(v => v.Revision == _revision), "the extension arrived");

        Time.Advance(TimeSpan.FromMinutes(10));
        (await Status()).InMaintenance.Should().BeTrue("the extended until replaced the first");
        Time.Advance(TimeSpan.FromMinutes(20));
        (await Status()).InMaintenance.Should().BeFalse();
    }

    [Fact]
    public async Task Must_open_and_close_a_window_on_time_with_the_schedule_source_waking_at_each_boundary()
    {
        var start = Time.UtcNow.AddMinutes(10);
        var end = start.AddMinutes(20);
        Publish(false, new MaintenanceInfo("patching", "ops"), new MaintenanceSchedule(new[] { new MaintenanceWindow(start, end) }, Array.Empty<WeeklyWindow>()));
        await Settled(s => s.Votes.Any(v => v.Source == ScheduleSourceActor.Name), "the schedule source voted (off, before the window)");
        (await Status()).InMaintenance.Should().BeFalse();

        Time.Advance(TimeSpan.FromMinutes(10) - TimeSpan.FromMilliseconds(1));
        (await Status()).InMaintenance.Should().BeFalse("the window has not opened");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await Settled(s => s.InMaintenance, "the window opened at its start");
        var vote = (await Status()).Votes.Single(v => v.Source == ScheduleSourceActor.Name);
        vote.Info.Should().Be(new MaintenanceInfo("patching", "ops", end), "the schedule's vote says until when");

        Time.Advance(TimeSpan.FromMinutes(20) - TimeSpan.FromMilliseconds(1));
        (await Status()).InMaintenance.Should().BeTrue("the window is still open");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        await Settled(s => !s.InMaintenance, "the window closed at its end");
    }

    [Fact]
    public async Task Must_open_a_daily_weekly_window_again_the_next_day_after_closing_it()
    {
        var now = Time.UtcNow;
        var opens = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero).AddHours(1);
        var everyDay = Enum.GetValues<DayOfWeek>();
        var weekly = new WeeklyWindow(everyDay, TimeOnly.FromDateTime(opens.UtcDateTime), TimeOnly.FromDateTime(opens.UtcDateTime.AddMinutes(30)), TimeZoneInfo.Utc);
        Publish(false, new MaintenanceInfo("nightly backup", "cron"), new MaintenanceSchedule(Array.Empty<MaintenanceWindow>(), new[] { weekly }));
        await Settled(s => s.Votes.Any(v => v.Source == ScheduleSourceActor.Name), "the schedule source voted");

        foreach (var day in new[] { 0, 1 })
        {
            var start = opens.AddDays(day);
            Time.Advance(start - Time.UtcNow);
            await Settled(s => s.InMaintenance, $"the window opened on day {day}");
            Time.Advance(TimeSpan.FromMinutes(30));
            await Settled(s => !s.InMaintenance, $"the window closed on day {day}");
        }
    }

    [Fact]
    public async Task Must_take_the_schedules_vote_back_when_the_key_gets_a_value_without_windows()
    {
        var schedule = new MaintenanceSchedule(new[] { new MaintenanceWindow(Time.UtcNow.AddMinutes(-1), Time.UtcNow.AddHours(1)) }, Array.Empty<WeeklyWindow>());
        Publish(false, null, schedule);
        await Settled(s => s.InMaintenance, "inside the window");

        Publish(false);
        await Settled(s => !s.InMaintenance && s.Votes.Single(v => v.Source == ScheduleSourceActor.Name) is { Enabled: false },
            "a plain value replaced the schedule");
    }
}
