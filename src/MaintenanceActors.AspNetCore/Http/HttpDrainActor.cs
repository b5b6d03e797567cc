using MaintenanceActors.Actors;
using MaintenanceActors.AspNetCore.Gate;
using Microsoft.Extensions.Options;

namespace MaintenanceActors.AspNetCore.Http;

/// <summary>Drains HTTP requests: closes the HTTP gate and waits until every admitted request has finished.</summary>
internal sealed class HttpDrainActor : DrainableResourceActor
{
    private readonly RequestGate _gate;
    private readonly HttpDrainOptions _options;
    private MaintenanceInfo? _info;

    public HttpDrainActor(RequestGates gates, IOptions<HttpDrainOptions> options)
    {
        _gate = gates.Http;
        _options = options.Value;
        _options.Validate();
    }

    protected override long InFlight => _gate.InFlight;

    protected override TimeSpan IntakeGracePeriod => _options.ReadinessDelay;

    protected override IReadOnlyDictionary<string, long> Counters => _gate.GetStats().ToCounters();

    protected override void ReceiveResourceMessages() =>
        Receive<MaintenanceStatus>(status =>
        {
            _info = MaintenanceInfoTracker.From(status);
            if (_gate.IsClosed)
            {
                CloseGate();
            }
        });

    protected override void StopIntake()
    {
        CloseGate();
        MaintenanceInfoTracker.Request(Context.Parent, Self);
    }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => _gate.WhenIdle.WaitAsync(cancellationToken);

    protected override void ResumeIntake()
    {
        _info = null;
        _gate.Open();
    }

    private void CloseGate() => _gate.Close(_info?.Reason, _info?.Until);
}
