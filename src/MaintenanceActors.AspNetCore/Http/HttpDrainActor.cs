using MaintenanceActors.AspNetCore.Gate;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>Drains HTTP requests: closes the HTTP gate and waits until every admitted request has finished.</summary>
internal sealed class HttpDrainActor : DrainableResourceActor
{
    private readonly RequestGate _gate;
    private readonly HttpDrainOptions _options;

    public HttpDrainActor(RequestGates gates, IOptions<HttpDrainOptions> options)
    {
        _gate = gates.Http;
        _options = options.Value;
        _options.Validate();
    }

    protected override long InFlight => _gate.InFlight;

    protected override TimeSpan IntakeGracePeriod => _options.ReadinessDelay;

    protected override IReadOnlyDictionary<string, long> Counters => _gate.GetStats().ToCounters();

    // The reason and end time go in with the closure itself, so the very first refusal carries them (and Retry-After).
    protected override void StopIntake() => _gate.Close(CurrentInfo?.Reason, CurrentInfo?.Until);

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => _gate.WhenIdle.WaitAsync(cancellationToken);

    protected override void ResumeIntake() => _gate.Open();
}
