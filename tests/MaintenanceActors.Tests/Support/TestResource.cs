using System.Collections.Concurrent;
using Akka.Actor;

namespace MaintenanceActors.Tests.Support;

/// <summary>What a test controls and observes about one <see cref="TestResource"/>.</summary>
public sealed class TestResourceControl
{
    private long _inFlight;
    private int _starts;
    private int _failDrains;
    private int _drainsStarted;

    public TestResourceControl(string name) => Name = name;

    public string Name { get; }

    /// <summary>Completed by the test to let WaitForIdleAsync finish (also sets InFlight to 0).</summary>
    public TaskCompletionSource Idle { get; private set; } = NewSignal();

    /// <summary>Signalled when a drain starts waiting (intake already stopped).</summary>
    public TaskCompletionSource DrainStarted { get; private set; } = NewSignal();

    /// <summary>Signalled on every (re)start; replaced after each.</summary>
    public TaskCompletionSource Started { get; } = NewSignal();

    public volatile bool IntakeOpen = true;

    /// <summary>The hook ("accepted", "deadline", "resumed") that throws, if any.</summary>
    public volatile string? ThrowIn;

    /// <summary>The lifecycle steps and hooks in the order the base called them, with what each saw.</summary>
    public ConcurrentQueue<string> Steps { get; } = new();
    public volatile bool IdleAtOnce;

    /// <summary>Called at each <c>StopIntake</c>, before intake closes (e.g. to read what readiness says at that moment).</summary>
    public Action? BeforeStopIntake { get; set; }

    /// <summary>
    /// When set, <c>OnMaintenanceAccepted</c> blocks the actor until the test sets it, so the resource's mailbox holds every
    /// message that arrives meanwhile (an Enter the resource is slow to take). <see cref="Holding"/> says it is held.
    /// </summary>
    public ManualResetEventSlim? HoldAccept { get; set; }

    /// <summary>Signalled when <c>OnMaintenanceAccepted</c> starts waiting on <see cref="HoldAccept"/>.</summary>
    public TaskCompletionSource Holding { get; } = NewSignal();

    public long InFlight
    {
        get => Interlocked.Read(ref _inFlight);
        set => Interlocked.Exchange(ref _inFlight, value);
    }

    public int Starts => Volatile.Read(ref _starts);

    public int DrainsStarted => Volatile.Read(ref _drainsStarted);

    /// <summary>How many of the next drains throw instead of waiting.</summary>
    public int FailDrains
    {
        get => Volatile.Read(ref _failDrains);
        set => Volatile.Write(ref _failDrains, value);
    }

    public void ReleaseIdle()
    {
        InFlight = 0;
        Idle.TrySetResult();
    }

    public void ResetIdle() => Idle = NewSignal();

    internal void OnStart()
    {
        Interlocked.Increment(ref _starts);
        Started.TrySetResult();
    }

    internal bool TakeFailure()
    {
        while (true)
        {
            var left = Volatile.Read(ref _failDrains);
            if (left <= 0) return false;
            if (Interlocked.CompareExchange(ref _failDrains, left - 1, left) == left) return true;
        }
    }

    internal void OnDrainStarted()
    {
        Interlocked.Increment(ref _drainsStarted);
        DrainStarted.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>A resource whose drain finishes when the test says so.</summary>
public sealed class TestResource : DrainableResourceActor
{
    private readonly TestResourceControl _control;
    private readonly TimeSpan _grace;

    public TestResource(TestResourceControl control, TimeSpan? grace = null)
    {
        _control = control;
        _grace = grace ?? TimeSpan.Zero;
    }

    public static Props Props(TestResourceControl control, TimeSpan? grace = null) =>
        Akka.Actor.Props.Create(() => new TestResource(control, grace));

    public static ResourceRegistration Registration(TestResourceControl control, TimeSpan? drainTimeout = null) =>
        new(control.Name, () => Props(control), new ResourceOptions { DrainTimeout = drainTimeout });

    protected override long InFlight => _control.InFlight;

    protected override TimeSpan IntakeGracePeriod => _grace;

    protected override IReadOnlyDictionary<string, long> Counters => new Dictionary<string, long> { ["starts"] = _control.Starts };

    protected override void PreStart()
    {
        _control.OnStart();
        base.PreStart();
    }

    protected override void StopIntake()
    {
        _control.BeforeStopIntake?.Invoke();
        _control.IntakeOpen = false;
        _control.Steps.Enqueue($"stop:{CurrentInfo?.Reason}");
    }

    protected override void ResumeIntake() => _control.IntakeOpen = true;

    protected override void OnMaintenanceAccepted(EnterMaintenance enter)
    {
        if (_control.HoldAccept is { } hold)
        {
            _control.Holding.TrySetResult();
            if (!hold.Wait(TimeSpan.FromSeconds(30)))
            {
                throw new TimeoutException($"{_control.Name} was held for 30 s; the test never released it");
            }
        }
        Step("accepted", $"accepted:{enter.Epoch}:{CurrentInfo?.Reason}:{Intake}");
    }

    protected override void OnDeadline(long inFlight) => Step("deadline", $"deadline:{inFlight}:{Intake}");

    protected override void OnResumed(ExitMaintenance exit) => Step("resumed", $"resumed:{exit.Epoch}:{CurrentInfo?.Reason ?? "no info"}:{Intake}");

    private string Intake => _control.IntakeOpen ? "intake open" : "intake stopped";

    private void Step(string hook, string step)
    {
        _control.Steps.Enqueue(step);
        if (_control.ThrowIn == hook)
        {
            throw new InvalidOperationException($"{_control.Name} broke in {hook}");
        }
    }

    protected override Task WaitForIdleAsync(CancellationToken cancellationToken)
    {
        _control.OnDrainStarted();
        if (_control.TakeFailure())
        {
            return Task.FromException(new InvalidOperationException($"{_control.Name} broke while draining"));
        }
        if (_control.IdleAtOnce || _control.InFlight == 0 && _control.Idle.Task.IsCompleted)
        {
            return Task.CompletedTask;
        }
        return _control.Idle.Task.WaitAsync(cancellationToken);
    }
}
