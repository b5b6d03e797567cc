using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Akka.Actor;

namespace MaintenanceActors;

/// <summary>Instruments under the meter "MaintenanceActors": state, transitions, drain duration, in-flight per resource.</summary>
public static class MaintenanceMeter
{
    /// <summary>The meter name to listen to (OpenTelemetry: <c>AddMeter("MaintenanceActors")</c>).</summary>
    public const string Name = "MaintenanceActors";
}

/// <summary>Per actor system measurements behind the shared instruments.</summary>
internal sealed class MaintenanceMetrics
{
    private static readonly Meter Meter = new(MaintenanceMeter.Name);
    private static readonly ConditionalWeakTable<ActorSystem, MaintenanceMetrics> BySystem = new();

    private static readonly Counter<long> Transitions = Meter.CreateCounter<long>(
        "maintenance.transitions", unit: "{transition}", description: "Completed maintenance transitions.");
    private static readonly Histogram<double> DrainDuration = Meter.CreateHistogram<double>(
        "maintenance.drain.duration", unit: "s", description: "How long one resource took to drain.");

    static MaintenanceMetrics()
    {
        Meter.CreateObservableGauge("maintenance.state", ObserveState, unit: "{state}",
            description: "1 while the service is in maintenance, else 0.");
        Meter.CreateObservableGauge("maintenance.resource.in_flight", ObserveInFlight, unit: "{operation}",
            description: "Work still running in each resource.");
    }

    private readonly string _system;
    private readonly ConcurrentDictionary<string, Func<long>> _inFlight = new();
    private volatile bool _inMaintenance;

    private MaintenanceMetrics(string system) => _system = system;

    public static MaintenanceMetrics For(ActorSystem system) => BySystem.GetValue(system, s => new MaintenanceMetrics(s.Name));

    public void SetInMaintenance(bool value) => _inMaintenance = value;

    public void TrackInFlight(string resource, Func<long> read) => _inFlight[resource] = read;

    public void UntrackInFlight(string resource) => _inFlight.TryRemove(resource, out _);

    public void RecordTransition(bool enabled, string outcome) =>
        Transitions.Add(1, new("actor_system", _system), new("enabled", enabled), new("outcome", outcome));

    public void RecordDrain(string resource, DrainOutcome outcome, TimeSpan duration) =>
        DrainDuration.Record(duration.TotalSeconds, new("actor_system", _system), new("resource", resource), new("outcome", outcome.ToString()));

    private static IEnumerable<Measurement<int>> ObserveState()
    {
        foreach (var (_, metrics) in BySystem)
        {
            yield return new Measurement<int>(metrics._inMaintenance ? 1 : 0, new KeyValuePair<string, object?>("actor_system", metrics._system));
        }
    }

    private static IEnumerable<Measurement<long>> ObserveInFlight()
    {
        foreach (var (_, metrics) in BySystem)
        {
            foreach (var (resource, read) in metrics._inFlight)
            {
                long value;
                try
                {
                    value = read();
                }
                catch (Exception)
                {
                    continue; // a resource being torn down must not break the whole collection
                }
                yield return new Measurement<long>(value, new("actor_system", metrics._system), new("resource", resource));
            }
        }
    }
}
