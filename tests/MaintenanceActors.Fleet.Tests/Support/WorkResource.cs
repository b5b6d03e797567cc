using Akka.Actor;

namespace MaintenanceActors.Fleet.Tests.Support;

/// <summary>Work a spec holds open: <see cref="Begin"/> adds one in-flight item, <see cref="EndAll"/> finishes them all.</summary>
public sealed class WorkGate
{
    private long _inFlight;
    private TaskCompletionSource _idle = Done();

    public long InFlight => Interlocked.Read(ref _inFlight);

    public void Begin()
    {
        lock (this)
        {
            if (_inFlight++ == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void EndAll()
    {
        lock (this)
        {
            _inFlight = 0;
            _idle.TrySetResult();
        }
    }

    public Task WhenIdle(CancellationToken cancellationToken)
    {
        lock (this) return _idle.Task.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource Done()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }
}

/// <summary>A drainable resource over a <see cref="WorkGate"/>: drained once the spec ends the work it began.</summary>
public sealed class WorkResource(WorkGate gate) : DrainableResourceActor
{
    public static ResourceRegistration Registration(string name, WorkGate gate, TimeSpan? drainTimeout = null) =>
        new(name, () => Props.Create(() => new WorkResource(gate)), new ResourceOptions { DrainTimeout = drainTimeout });

    protected override long InFlight => gate.InFlight;

    protected override void StopIntake() { }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken) => gate.WhenIdle(cancellationToken);

    protected override void ResumeIntake() { }
}
