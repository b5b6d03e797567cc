using Akka.Actor;

namespace MaintenanceActors.Drills.Refusal;

/// <summary>A resource with nothing in flight that records when it stopped intake: the instant it starts refusing work.</summary>
internal sealed class IntakeProbeResource : DrainableResourceActor
{
    private readonly IntakeLog _log;

    public IntakeProbeResource(IntakeLog log) => _log = log;

    protected override long InFlight => 0;

    public static ResourceRegistration Registration(string name, IntakeLog log) =>
        new(name, () => Props.Create(() => new IntakeProbeResource(log)), new ResourceOptions());

    protected override void StopIntake() => _log.Stopped();

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    protected override void ResumeIntake()
    {
    }
}
