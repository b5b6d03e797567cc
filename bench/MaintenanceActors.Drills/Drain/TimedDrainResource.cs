using MaintenanceActors.Actors;

namespace MaintenanceActors.Drills.Drain;

/// <summary>A resource whose drain takes a fixed time on the real clock, as if its last request needed that long.</summary>
internal sealed class TimedDrainResource : DrainableResourceActor
{
    private readonly TimeSpan _drain;

    private TimedDrainResource(TimeSpan drain) => _drain = drain;

    protected override long InFlight => 0;

    public static ResourceRegistration Registration(string name, TimeSpan drain) =>
        new(name, () => Props.Create(() => new TimedDrainResource(drain)), new ResourceOptions());

    protected override void StopIntake()
    {
    }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => Task.Delay(_drain, Time, cancellationToken);

    protected override void ResumeIntake()
    {
    }
}
