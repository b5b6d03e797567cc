using MaintenanceActors.Actors;
using MaintenanceActors.AspNetCore.Gate;
using MaintenanceActors.AspNetCore.Grpc.Health;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore.Grpc;

/// <summary>
/// Drains gRPC calls: reports NOT_SERVING on the health service, closes the gRPC gate, waits for calls
/// (streams included) to finish, and ends the ones still running with UNAVAILABLE when their time is up.
/// </summary>
internal sealed class GrpcDrainActor : DrainableResourceActor
{
    private static readonly object EndCallsTimer = new();

    private readonly RequestGate _gate;
    private readonly GrpcHealthBoard _health;
    private readonly GrpcDrainOptions _options;
    private MaintenanceInfo? _info;
    private long _intakeStops;

    public GrpcDrainActor(RequestGates gates, GrpcHealthBoard health, IOptions<GrpcDrainOptions> options)
    {
        _gate = gates.Grpc;
        _health = health;
        _options = options.Value;
        _options.Validate();
    }

    protected override long InFlight => _gate.InFlight;

    protected override TimeSpan IntakeGracePeriod => _options.ReadinessDelay;

    protected override IReadOnlyDictionary<string, long> Counters => _gate.GetStats().ToCounters();

    /// <remarks>
    /// The base calls this on every state change, the first time at the moment it accepts an Enter
    /// (before the intake grace period), so the health service turns NOT_SERVING first: readiness first.
    /// </remarks>
    protected override ResourceHealth CheckHealth()
    {
        _health.SetServing(State == ResourceState.Running);
        return base.CheckHealth();
    }

    protected override void ReceiveResourceMessages()
    {
        Receive<MaintenanceStatus>(status =>
        {
            _info = MaintenanceInfoTracker.From(status);
            if (_gate.IsClosed)
            {
                CloseGate();
            }
        });
        Receive<EndCalls>(end =>
        {
            // Only for the current closure: a superseded drain (maintenance cancelled) lets its calls run on.
            if (end.IntakeStop == _intakeStops && _gate.IsClosed && State is ResourceState.Draining or ResourceState.InMaintenance)
            {
                Log.LogInformation("Ending {InFlight} gRPC calls still running ({Why}) with UNAVAILABLE", _gate.InFlight, end.Why);
                _gate.EndInFlight();
            }
        });
    }

    protected override void StopIntake()
    {
        _health.SetServing(false);
        CloseGate();
        MaintenanceInfoTracker.Request(Context.Parent, Self);
        _intakeStops++;
        if (_options.EndCallsAfter is { } after)
        {
            Timers.StartSingleTimer(EndCallsTimer, new EndCalls(_intakeStops, "EndCallsAfter elapsed"), after);
        }
    }

    protected override async Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        var self = Self;
        var end = new EndCalls(_intakeStops, "drain deadline");
        try
        {
            await _gate.WhenIdle.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // The base cancels this wait at the deadline and when a newer transition supersedes the drain;
            // the actor tells the two apart by its state once the message arrives.
            self.Tell(end, self);
            throw;
        }
    }

    protected override void ResumeIntake()
    {
        Timers.Cancel(EndCallsTimer);
        _info = null;
        _gate.Open();
        _health.SetServing(true);
    }

    private void CloseGate() => _gate.Close(_info?.Reason, _info?.Until);

    private sealed record EndCalls(long IntakeStop, string Why);
}
