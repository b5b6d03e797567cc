using System.Diagnostics.Metrics;
using Akka.Actor;
using MaintenanceActors.Testing;
using MaintenanceActors.Tests.Support;
using Xunit.Abstractions;

namespace MaintenanceActors.Tests.Metrics;

public sealed class MaintenanceMetricsSpec(ITestOutputHelper output) : MaintenanceTestKit(output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Must_publish_state_transitions_drain_duration_and_in_flight_under_one_meter()
    {
        var measurements = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == MaintenanceMeter.Name) l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            if (Equals(map.GetValueOrDefault("actor_system"), Sys.Name))
            {
                lock (measurements) measurements.Add((instrument.Name, value, map));
            }
        }
        listener.SetMeasurementEventCallback<long>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<int>((i, v, t, _) => Record(i, v, t));
        listener.SetMeasurementEventCallback<double>((i, v, t, _) => Record(i, v, t));
        listener.Start();

        var control = new TestResourceControl("api") { InFlight = 3 };
        var supervisor = Sys.ActorOf(Props.Create(() => new MaintenanceSupervisor(new MaintenanceOptions(), new[] { TestResource.Registration(control) }, null)));
        Sys.EventStream.Subscribe(TestActor, typeof(MaintenanceTransitionCompleted));
        await supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, Wait);
        Sys.EventStream.Publish(new MaintenanceStateChanged("etcd", "/k", true, null, 1, Sys.Scheduler.Now));
        await control.DrainStarted.Task.WaitAsync(Wait);

        listener.RecordObservableInstruments();
        lock (measurements)
        {
            measurements.Should().Contain(m => m.Instrument == "maintenance.state" && m.Value == 1);
            measurements.Should().Contain(m => m.Instrument == "maintenance.resource.in_flight" && m.Value == 3 && Equals(m.Tags["resource"], "api"));
        }
        control.ReleaseIdle();
        await ExpectMsgAsync<MaintenanceTransitionCompleted>(duration: Wait);
        lock (measurements)
        {
            measurements.Should().Contain(m => m.Instrument == "maintenance.transitions" && Equals(m.Tags["outcome"], "succeeded"));
            measurements.Should().Contain(m => m.Instrument == "maintenance.drain.duration" && Equals(m.Tags["resource"], "api"));
        }
    }
}
