using System.Diagnostics;
using Akka.Actor;

namespace MaintenanceActors.Drills.Drain;

/// <summary>
/// A resource whose drain takes a fixed time on the real clock, as if its last request needed that long; it stamps
/// its own drain (wait started → wait finished) into a <see cref="DrainLog"/>.
/// </summary>
internal sealed class TimedDrainResource : DrainableResourceActor
{
    private readonly TimeSpan _drain;
    private readonly DrainLog _log;

    public TimedDrainResource(TimeSpan drain, DrainLog log)
    {
        _drain = drain;
        _log = log;
    }

    protected override long InFlight => 0;

    public static ResourceRegistration Registration(string name, TimeSpan drain, DrainLog log) =>
        new(name, () => Props.Create(() => new TimedDrainResource(drain, log)), new ResourceOptions());

    protected override void StopIntake()
    {
    }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => DrainAsync(ResourceName, cancellationToken);

    protected override void ResumeIntake()
    {
    }

    private async Task DrainAsync(string name, CancellationToken cancellationToken)
    {
        var startedAt = Stopwatch.GetTimestamp();
        await Task.Delay(_drain, cancellationToken).ConfigureAwait(false);
        _log.Record(name, startedAt);
    }
}
