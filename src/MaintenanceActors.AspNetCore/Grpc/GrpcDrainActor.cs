using Akka.Actor;
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

    // Before the grace period: clients watching health move away while calls are still accepted (readiness first).
    protected override void OnMaintenanceAccepted(EnterMaintenance enter) => _health.SetServing(false);

    protected override void StopIntake()
    {
        // A repeated stop (a newer Enter while the gate is closed) keeps the first closure's EndCallsAfter timer.
        if (_gate.Close(CurrentInfo?.Reason, CurrentInfo?.Until) && _options.EndCallsAfter is { } after)
        {
            Timers.StartSingleTimer(EndCallsTimer, EndCallsAfterElapsed.Instance, after);
        }
    }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => _gate.WhenIdle.WaitAsync(cancellationToken);

    protected override void OnDeadline(long inFlight) => EndCalls(inFlight, "drain deadline");

    protected override void ReceiveResourceMessages() =>
        // Cancelled on resume, so it only arrives while the closure that started it still holds.
        Receive<EndCallsAfterElapsed>(_ => EndCalls(_gate.InFlight, "EndCallsAfter elapsed"));

    protected override void ResumeIntake()
    {
        Timers.Cancel(EndCallsTimer);
        _gate.Open();
    }

    protected override void OnResumed(ExitMaintenance exit) => _health.SetServing(true);

    private void EndCalls(long inFlight, string why)
    {
        Log.LogInformation("Ending {InFlight} gRPC calls still running ({Why}) with UNAVAILABLE", inFlight, why);
        _gate.EndInFlight();
    }

    private sealed class EndCallsAfterElapsed
    {
        public static readonly EndCallsAfterElapsed Instance = new();
    }
}
