using Akka.Actor;
using MaintenanceActors.Testing;
using Xunit.Abstractions;

namespace MaintenanceActors.Fleet.Tests.Etcd;

/// <summary>"until" and windows written to a real etcd, on the coordinator's virtual clock.</summary>
public sealed class FleetClockSpec : VirtualClockTestKit, IAsyncLifetime
{
    private const string Service = "billing";
    private const string Instance = "billing-1";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private EtcdServer _etcd = null!;
    private EtcdTestWriter _writer = null!;
    private MaintenanceCoordinator _coordinator = null!;

    public FleetClockSpec(ITestOutputHelper output) : base(output)
    {
    }

    public async Task InitializeAsync()
    {
        _etcd = await EtcdServer.StartAsync();
        _writer = new EtcdTestWriter(_etcd.CreateClient());
        _coordinator = new MaintenanceCoordinator(Sys);
        _coordinator.UseEtcd(new EtcdSourceOptions { Endpoints = { _etcd.Endpoint }, Key = FleetKeys.ServiceKey(Service) }, _etcd.CreateClient(), ownsClient: true);
        // Status publishing runs keep-alive timers; this spec moves the clock by hours, so it stays off here (InstanceStatusPublisherSpec covers it).
        _coordinator.UseFleet(new FleetOptions { Service = Service, InstanceId = Instance, PublishStatus = false });
        _coordinator.Start();
        await Sys.ActorSelection("/user/maintenance-source-" + ScheduleSourceActor.Name).Ask<SourceHealth>(GetHealth.Instance, Wait);
        (await Eventually.HoldsAsync(async () => (await _coordinator.GetStatusAsync()).Votes.Count(v => v.Source.StartsWith("etcd", StringComparison.Ordinal)) == 2, Wait))
            .Should().BeTrue("both keys were read (absent = off)");
    }

    public async Task DisposeAsync()
    {
        await _coordinator.DisposeAsync();
        await _writer.DisposeAsync();
        await _etcd.DisposeAsync();
    }

    // The JSON carries milliseconds; the clock has ticks.
    private static DateTimeOffset Whole(DateTimeOffset time) => new(time.UtcTicks - time.UtcTicks % TimeSpan.TicksPerMillisecond, TimeSpan.Zero);

    private static string Iso(DateTimeOffset time) => InstanceStatusJson.FormatTime(time);

    private async Task<bool> InMaintenance() => (await _coordinator.GetStatusAsync()).InMaintenance;

    private async Task SawAsync(long revision) =>
        (await Eventually.HoldsAsync(async () => (await _coordinator.GetStatusAsync()).Votes.Any(v => v.Revision >= revision), Wait))
            .Should().BeTrue($"revision {revision} reached the supervisor");

    [Fact]
    public async Task Must_turn_an_instance_key_with_until_off_exactly_at_until()
    {
        var until = Whole(Time.UtcNow.AddHours(1));
        var revision = await _writer.PutAsync(FleetKeys.InstanceKey(Service, Instance), $$"""{"enabled":true,"reason":"reindex","by":"carol","until":"{{Iso(until)}}"}""");
        await SawAsync(revision);
        (await InMaintenance()).Should().BeTrue();

        Time.Advance(until - Time.UtcNow - TimeSpan.FromMilliseconds(1));
        (await InMaintenance()).Should().BeTrue("a millisecond before until");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await InMaintenance()).Should().BeFalse("at until, although the key still says enabled");
        (await _writer.Client.GetAsync(FleetKeys.InstanceKey(Service, Instance))).Kvs.Should().ContainSingle("nothing deleted the key");
    }

    [Fact]
    public async Task Must_open_and_close_a_window_written_to_the_service_key_on_time()
    {
        var start = Whole(Time.UtcNow.AddMinutes(30));
        var end = start.AddMinutes(45);
        var revision = await _writer.PutAsync(FleetKeys.ServiceKey(Service),
            $$"""{"windows":[{"start":"{{Iso(start)}}","end":"{{Iso(end)}}"}],"reason":"monthly patching","by":"ops"}""");
        await SawAsync(revision);
        (await Eventually.HoldsAsync(async () => (await _coordinator.GetStatusAsync()).Votes.Any(v => v.Source == ScheduleSourceActor.Name), Wait))
            .Should().BeTrue("the schedule source took the window");

        Time.Advance(start - Time.UtcNow - TimeSpan.FromMilliseconds(1));
        (await InMaintenance()).Should().BeFalse("before the window");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await Eventually.HoldsAsync(InMaintenance, Wait)).Should().BeTrue("the window opened at its start");
        (await _coordinator.GetStatusAsync()).Votes.Single(v => v.Source == ScheduleSourceActor.Name).Info
            .Should().Be(new MaintenanceInfo("monthly patching", "ops", end));

        Time.Advance(end - Time.UtcNow - TimeSpan.FromMilliseconds(1));
        (await InMaintenance()).Should().BeTrue("inside the window");
        Time.Advance(TimeSpan.FromMilliseconds(1));
        (await Eventually.HoldsAsync(async () => !await InMaintenance(), Wait)).Should().BeTrue("the window closed at its end");
    }
}
