using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>
/// Turns the scheduled windows other sources saw (<see cref="MaintenanceStateChanged.Schedule"/>) into votes of its own: on inside
/// a window, off outside. It wakes with a timer exactly at the next boundary, never polls.
/// </summary>
/// <remarks>
/// Its vote for a key carries the value's reason and author, and the end of the current window as <c>until</c> (so refusals tell
/// clients when to come back). A later value without windows for the same key takes the schedule's vote back.
/// </remarks>
internal sealed class ScheduleSourceActor : MaintenanceSourceActor, IWithTimers
{
    /// <summary>The source name of the schedule's votes.</summary>
    public const string Name = "windows";

    private readonly Dictionary<string, Scheduled> _scheduled = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Source, string Key), long> _seen = new();

    public ScheduleSourceActor()
    {
        Receive<MaintenanceStateChanged>(OnChanged, c => c.Source != Name);
        Receive<MaintenanceStateChanged>(_ => { });
        Receive<SourceHealthChanged>(_ => { });
        Receive<Wake>(w => Evaluate(w.Key));
    }

    public ITimerScheduler Timers { get; set; } = null!;

    protected override string SourceName => Name;

    protected override void PreStart()
    {
        base.PreStart();
        Context.System.EventStream.Subscribe(Self, typeof(MaintenanceStateChanged));
        // Sources that already published tell us their current values (answered to us only).
        Context.System.EventStream.Publish(new MaintenanceStateRequested(Self));
    }

    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void OnChanged(MaintenanceStateChanged changed)
    {
        var origin = (changed.Source, changed.Key);
        if (_seen.TryGetValue(origin, out var revision) && revision >= changed.Revision && !changed.IsResync)
        {
            return;
        }
        _seen[origin] = changed.Revision;
        if (changed.Schedule is null)
        {
            if (_scheduled.Remove(changed.Key))
            {
                Timers.Cancel(changed.Key);
                PublishState(changed.Key, MaintenanceValue.Off);
                Log.LogInformation("Schedule for {Key} removed (source {Source}, revision {Revision})", changed.Key, changed.Source, changed.Revision);
            }
            return;
        }
        _scheduled[changed.Key] = new Scheduled(changed.Schedule, changed.Info);
        Log.LogInformation("Schedule for {Key} set: {Windows} one-off and {Weekly} weekly window(s) (source {Source}, revision {Revision})",
            changed.Key, changed.Schedule.Windows.Count, changed.Schedule.Weekly.Count, changed.Source, changed.Revision);
        Evaluate(changed.Key);
    }

    private void Evaluate(string key)
    {
        if (!_scheduled.TryGetValue(key, out var scheduled))
        {
            return;
        }
        var now = Context.System.Clock().GetUtcNow();
        var state = scheduled.Schedule.Evaluate(now);
        var info = state.Active ? new MaintenanceInfo(scheduled.Info?.Reason ?? "scheduled window", scheduled.Info?.By, state.ActiveUntil) : null;
        // The timer is set before the vote is published: whoever sees the vote may rely on the next wake being scheduled.
        if (state.NextChange is { } next)
        {
            // A timer fires at or after its delay; one that comes early (scheduler resolution) just evaluates and sets itself again.
            var delay = next - now;
            Timers.StartSingleTimer(key, new Wake(key), delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1));
        }
        else
        {
            Timers.Cancel(key);
        }
        if (PublishState(key, new MaintenanceValue(state.Active, info, null)))
        {
            Log.LogInformation("Scheduled window for {Key} is {State} at {Now} (next change {Next})", key, state.Active ? "open" : "closed", now, state.NextChange);
        }
    }

    private sealed record Scheduled(MaintenanceSchedule Schedule, MaintenanceInfo? Info);

    private sealed record Wake(string Key);
}
