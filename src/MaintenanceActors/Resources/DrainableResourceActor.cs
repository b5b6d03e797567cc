using Akka.Actor;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Base class for one drained resource: Running → Draining → InMaintenance → Resuming → Running.</summary>
/// <remarks>
/// A subclass writes four steps — <see cref="StopIntake"/>, <see cref="InFlight"/>,
/// <see cref="WaitForIdleAsync"/>, <see cref="ResumeIntake"/> — and may hook into the lifecycle with
/// <see cref="OnMaintenanceAccepted"/>, <see cref="OnDeadline"/> and <see cref="OnResumed"/> (reading
/// <see cref="CurrentInfo"/> for the reason and end time) and add its own handlers in
/// <see cref="ReceiveResourceMessages"/>. The base answers <see cref="EnterMaintenance"/> with
/// <see cref="DrainCompleted"/> and <see cref="ExitMaintenance"/> with <see cref="ResumeCompleted"/>, never
/// blocks its mailbox (the wait is piped back as a message), and answers <see cref="GetResourceStats"/> and
/// <see cref="GetHealth"/> at once in every state. The resource name is the actor's name.
/// </remarks>
public abstract class DrainableResourceActor : ReceiveActor, IWithTimers
{
    /// <summary>A logger named after the actor class, writing to the host's logging.</summary>
    protected ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    private static readonly object DeadlineTimer = new();
    private static readonly object GraceTimer = new();

    private DrainRun? _drain;
    private long _lastEpoch = -1;
    private long _runs;
    private DrainOutcome? _lastOutcome;
    private TimeSpan? _lastDuration;
    private ResourceHealth? _lastHealth;

    /// <summary>Starts in <see cref="ResourceState.Running"/>.</summary>
    protected DrainableResourceActor()
    {
        Become(Running);
    }

    /// <summary>Injected by the kernel; used for the drain deadline and the intake grace period.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <summary>The resource name (this actor's name).</summary>
    protected string ResourceName => Self.Path.Name;

    /// <summary>Where the resource is in its lifecycle.</summary>
    protected ResourceState State { get; private set; } = ResourceState.Running;

    /// <summary>The clock of the actor system.</summary>
    protected TimeProvider Time => Context.System.Clock();

    /// <summary>
    /// Why, by whom and until when maintenance was asked for: the <see cref="EnterMaintenance.Info"/> of the Enter
    /// being applied. Set before <see cref="OnMaintenanceAccepted"/>, the intake grace period and <see cref="StopIntake"/>;
    /// null while running (and when the Enter carried none).
    /// </summary>
    protected MaintenanceInfo? CurrentInfo { get; private set; }

    /// <summary>
    /// Refuse new work from now on (synchronously; idempotent). Called again while intake is stopped when a newer Enter
    /// arrives or the maintenance reason or end time changes: read <see cref="CurrentInfo"/> each time.
    /// </summary>
    protected abstract void StopIntake();

    /// <summary>Work still running; read from any thread (metrics), so keep it thread-safe.</summary>
    protected abstract long InFlight { get; }

    /// <summary>Completes when <see cref="InFlight"/> reaches 0; cancelled at the deadline or when superseded (<see cref="OnDeadline"/> tells the deadline apart).</summary>
    protected abstract Task WaitForIdleAsync(CancellationToken cancellationToken);

    /// <summary>Take work again (synchronously; idempotent).</summary>
    protected abstract void ResumeIntake();

    /// <summary>Delay between being told to enter maintenance (readiness already reports unhealthy) and <see cref="StopIntake"/>.</summary>
    protected virtual TimeSpan IntakeGracePeriod => TimeSpan.Zero;

    /// <summary>Resource-specific counters for <see cref="GetStats"/> (served, refused, ...).</summary>
    protected virtual IReadOnlyDictionary<string, long> Counters => EmptyCounters;

    private static readonly IReadOnlyDictionary<string, long> EmptyCounters = new Dictionary<string, long>();

    /// <summary>Statistics answered to <see cref="GetResourceStats"/>.</summary>
    protected virtual ResourceStats GetStats() =>
        new(ResourceName, State, InFlight, _lastEpoch, _lastOutcome, _lastDuration, Counters);

    /// <summary>Health answered to <see cref="GetHealth"/> and pushed to the parent when it changes.</summary>
    protected virtual ResourceHealth CheckHealth() => _lastOutcome switch
    {
        DrainOutcome.TimedOut when State == ResourceState.InMaintenance =>
            new(ResourceName, ComponentHealth.Degraded, "drain timed out with work still in flight; intake stays stopped"),
        _ => new(ResourceName, ComponentHealth.Healthy, State.ToString()),
    };

    /// <summary>
    /// Called when an Enter starts a drain, before the intake grace period and <see cref="StopIntake"/>; may be called again
    /// for a newer Enter while draining or in maintenance. The place for "readiness first" (report not ready while work is
    /// still taken). <see cref="CurrentInfo"/> is already set. Throwing fails the drain like a failing step.
    /// </summary>
    protected virtual void OnMaintenanceAccepted(EnterMaintenance enter)
    {
    }

    /// <summary>
    /// Called when the drain deadline passes before <see cref="WaitForIdleAsync"/> completed, after intake is stopped and
    /// before the drain is answered <see cref="DrainOutcome.TimedOut"/> with <paramref name="inFlight"/>; not called when the
    /// drain is superseded. The place to end long-running work (e.g. streams). Runs on the actor; an exception is logged.
    /// </summary>
    protected virtual void OnDeadline(long inFlight)
    {
    }

    /// <summary>Called after <see cref="ResumeIntake"/> succeeded, when the resource is running again (e.g. report ready). Throwing fails the resume.</summary>
    protected virtual void OnResumed(ExitMaintenance exit)
    {
    }

    /// <summary>Register the subclass's own message handlers here; called in every state.</summary>
    protected virtual void ReceiveResourceMessages()
    {
    }

    /// <summary>Pushes <see cref="ResourceHealthChanged"/> to the parent if <see cref="CheckHealth"/> changed.</summary>
    protected void ReportHealth()
    {
        var health = CheckHealth();
        if (health != _lastHealth)
        {
            _lastHealth = health;
            Context.Parent.Tell(new ResourceHealthChanged(health), Self);
        }
    }

    /// <summary>Asks the parent for the desired state, so a (re)started resource applies it; call base when overriding.</summary>
    protected override void PreStart()
    {
        MaintenanceMetrics.For(Context.System).TrackInFlight(ResourceName, () => InFlight);
        Context.Parent.Tell(new ResourceStarted(ResourceName), Self);
        ReportHealth();
    }

    /// <summary>Cancels a running wait; call base when overriding.</summary>
    protected override void PostStop()
    {
        _drain?.Cancel();
        MaintenanceMetrics.For(Context.System).UntrackInFlight(ResourceName);
    }

    private void Running()
    {
        Receive<EnterMaintenance>(enter => BeginDrain(enter, Sender, openBefore: true));
        Receive<ExitMaintenance>(exit => Resume(exit, Sender));
        Always();
    }

    private void Draining()
    {
        Receive<EnterMaintenance>(enter =>
        {
            if (enter.Epoch < _drain!.Epoch)
            {
                Sender.Tell(new DrainCompleted(ResourceName, enter.Epoch, DrainOutcome.Superseded, InFlight, TimeSpan.Zero), Self);
                return;
            }
            if (enter.Epoch == _drain.Epoch)
            {
                // The same transition again (a state re-applied on start racing the supervisor's own Enter): one drain, both answered.
                _drain.AddReplyTo(Sender);
                return;
            }
            var intakeOpen = !_drain.IntakeStopped;
            Supersede();
            BeginDrain(enter, Sender, intakeOpen);
        });
        Receive<ExitMaintenance>(exit =>
        {
            if (exit.Epoch < _drain!.Epoch)
            {
                Sender.Tell(new ResumeCompleted(ResourceName, exit.Epoch, ResumeOutcome.Superseded, TimeSpan.Zero), Self);
                return;
            }
            Supersede();
            Resume(exit, Sender);
        });
        Receive<GraceElapsed>(_ => StopIntakeAndWait(), g => g.Run == _drain!.Run);
        Receive<IdleReached>(_ => FinishDrain(DrainOutcome.Drained, 0, null), m => m.Run == _drain!.Run);
        Receive<DrainDeadlineReached>(_ => OnDrainDeadline(), m => m.Run == _drain!.Run);
        Receive<DrainStepFailed>(m => Fail(m.Error), m => m.Run == _drain!.Run);
        Receive<MaintenanceInfoChanged>(changed => ChangeInfo(changed, _drain!.IntakeStopped), m => m.Epoch >= _drain!.Epoch);
        Always();
    }

    private void InMaintenance()
    {
        // A repeated enter (a re-applied state, or a new epoch after a timeout) drains again: it finishes at once when idle.
        Receive<EnterMaintenance>(enter => BeginDrain(enter, Sender, openBefore: false));
        Receive<ExitMaintenance>(exit => Resume(exit, Sender));
        Receive<MaintenanceInfoChanged>(changed => ChangeInfo(changed, intakeStopped: true), m => m.Epoch >= _lastEpoch);
        Always();
    }

    private void Always()
    {
        Receive<GetResourceStats>(_ => Sender.Tell(GetStats(), Self));
        Receive<GetHealth>(_ => Sender.Tell(CheckHealth(), Self));
        // Late results of a superseded or finished drain: nothing to do.
        Receive<GraceElapsed>(_ => { });
        Receive<IdleReached>(_ => { });
        Receive<DrainDeadlineReached>(_ => { });
        Receive<DrainStepFailed>(_ => { });
        Receive<DrainWaitCancelled>(_ => { });
        Receive<MaintenanceInfoChanged>(_ => { }); // running again, or older than the current transition
        ReceiveResourceMessages();
    }

    private void BeginDrain(EnterMaintenance enter, IActorRef replyTo, bool openBefore)
    {
        _lastEpoch = Math.Max(_lastEpoch, enter.Epoch);
        _drain = new DrainRun(++_runs, enter.Epoch, replyTo, Time.GetTimestamp());
        CurrentInfo = enter.Info;
        State = ResourceState.Draining;
        Become(Draining);
        var remaining = enter.Deadline - Time.GetUtcNow();
        Timers.StartSingleTimer(DeadlineTimer, new DrainDeadlineReached(_drain.Run), remaining > TimeSpan.Zero ? remaining : TimeSpan.Zero);
        try
        {
            OnMaintenanceAccepted(enter);
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }
        ReportHealth();
        if (openBefore && IntakeGracePeriod > TimeSpan.Zero)
        {
            Timers.StartSingleTimer(GraceTimer, new GraceElapsed(_drain.Run), IntakeGracePeriod);
            return;
        }
        StopIntakeAndWait();
    }

    private void StopIntakeAndWait()
    {
        var drain = _drain!;
        Task wait;
        try
        {
            StopIntake();
            drain.IntakeStopped = true;
            wait = WaitForIdleAsync(drain.Cancellation.Token);
        }
        catch (Exception ex)
        {
            Fail(ex);
            return;
        }
        var run = drain.Run;
        wait.PipeTo(Self, Self,
            success: () => new IdleReached(run),
            failure: ex => ex is OperationCanceledException ? new DrainWaitCancelled(run) : new DrainStepFailed(run, ex));
    }

    private void ChangeInfo(MaintenanceInfoChanged changed, bool intakeStopped)
    {
        CurrentInfo = changed.Info;
        if (!intakeStopped)
        {
            return; // StopIntake, still to come, reads the new info
        }
        try
        {
            // StopIntake is idempotent; called again it refuses with the new reason and end time.
            StopIntake();
        }
        catch (Exception ex)
        {
            Log.LogWarning(ex, "Resource {Resource} failed to apply a changed maintenance reason; intake stays stopped", ResourceName);
        }
    }

    private void OnDrainDeadline()
    {
        var drain = _drain!;
        if (!drain.IntakeStopped)
        {
            // The deadline came within the grace period: a timed-out drain must still refuse new work.
            try
            {
                StopIntake();
                drain.IntakeStopped = true;
            }
            catch (Exception ex)
            {
                Fail(ex);
                return;
            }
        }
        // Read before the hook: ending work may finish some of it at once, and the report says what was left at the deadline.
        var inFlight = InFlight;
        try
        {
            OnDeadline(inFlight);
        }
        catch (Exception ex)
        {
            Log.LogWarning(ex, "Resource {Resource} failed in its deadline hook; the drain is reported timed out anyway", ResourceName);
        }
        FinishDrain(DrainOutcome.TimedOut, inFlight, null);
    }

    private void FinishDrain(DrainOutcome outcome, long inFlight, Exception? error)
    {
        var drain = _drain!;
        _drain = null;
        drain.Cancel();
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(GraceTimer);
        var duration = Time.GetElapsedTime(drain.StartedAt);
        _lastOutcome = outcome;
        _lastDuration = duration;
        if (outcome == DrainOutcome.TimedOut)
        {
            Log.LogWarning("Resource {Resource} did not drain before its deadline; {InFlight} still in flight, intake stays stopped", ResourceName, inFlight);
        }
        MaintenanceMetrics.For(Context.System).RecordDrain(ResourceName, outcome, duration);
        drain.Reply(new DrainCompleted(ResourceName, drain.Epoch, outcome, inFlight, duration, error), Self);
        State = ResourceState.InMaintenance;
        Become(InMaintenance);
        ReportHealth();
    }

    private void Fail(Exception error)
    {
        FinishDrain(DrainOutcome.Failed, InFlight, error);
        // Restarting is how a resource gets back to a known state; PreStart then asks for the desired state again.
        throw new ResourceStepFailedException(ResourceName, "drain", error);
    }

    private void Supersede()
    {
        var drain = _drain!;
        _drain = null;
        drain.Cancel();
        Timers.Cancel(DeadlineTimer);
        Timers.Cancel(GraceTimer);
        drain.Reply(new DrainCompleted(ResourceName, drain.Epoch, DrainOutcome.Superseded, InFlight, Time.GetElapsedTime(drain.StartedAt)), Self);
    }

    private void Resume(ExitMaintenance exit, IActorRef replyTo)
    {
        _lastEpoch = Math.Max(_lastEpoch, exit.Epoch);
        var started = Time.GetTimestamp();
        State = ResourceState.Resuming;
        try
        {
            ResumeIntake();
            CurrentInfo = null;
            State = ResourceState.Running;
            OnResumed(exit);
        }
        catch (Exception ex)
        {
            replyTo.Tell(new ResumeCompleted(ResourceName, exit.Epoch, ResumeOutcome.Failed, Time.GetElapsedTime(started), ex), Self);
            throw new ResourceStepFailedException(ResourceName, "resume", ex);
        }
        _lastOutcome = null;
        Become(Running);
        replyTo.Tell(new ResumeCompleted(ResourceName, exit.Epoch, ResumeOutcome.Resumed, Time.GetElapsedTime(started)), Self);
        ReportHealth();
    }

    private sealed class DrainRun(long run, long epoch, IActorRef replyTo, long startedAt)
    {
        public long Run { get; } = run;
        public long Epoch { get; } = epoch;
        private readonly List<IActorRef> _replyTo = new() { replyTo };
        public long StartedAt { get; } = startedAt;
        public CancellationTokenSource Cancellation { get; } = new();
        public bool IntakeStopped { get; set; }

        public void AddReplyTo(IActorRef other)
        {
            if (!_replyTo.Contains(other))
            {
                _replyTo.Add(other);
            }
        }

        public void Reply(object message, IActorRef self)
        {
            foreach (var target in _replyTo)
            {
                target.Tell(message, self);
            }
        }

        public void Cancel()
        {
            try
            {
                Cancellation.Cancel();
            }
            catch (AggregateException)
            {
                // A subclass's cancellation callback threw; the drain is over either way.
            }
        }
    }

    // Internal messages carry the run number, not the epoch: a re-applied state may start a new run with the same epoch.
    private sealed record GraceElapsed(long Run);
    private sealed record IdleReached(long Run);
    private sealed record DrainWaitCancelled(long Run);
    private sealed record DrainDeadlineReached(long Run);
    private sealed record DrainStepFailed(long Run, Exception Error);
}
