using Akka.Actor;
using Akka.Pattern;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors;

/// <summary>Owns the desired maintenance state: combines the sources' votes, numbers transitions by epoch and fans them out to its resource children in parallel.</summary>
/// <remarks>
/// Never blocks: every wait is an Ask whose result is piped back as a message, so status, health and
/// stats queries are answered at once, even mid-drain. At most <see cref="MaxOutstanding"/> transitions are
/// in flight; further changes only move the desired state, and the latest one is sent when a slot frees up.
/// </remarks>
public sealed class MaintenanceSupervisor : ReceiveActor, IWithTimers
{
    private ILogger Log => _log ??= Context.System.LoggerFor(GetType());
    private ILogger? _log;

    /// <summary>The source name used by <see cref="SetMaintenanceMode"/>.</summary>
    public const string ManualSource = "manual";

    /// <summary>The source name of the vote a host stop casts (see <see cref="MaintenanceOptions.ShutdownDrainTimeout"/>).</summary>
    public const string ShutdownSource = "shutdown";

    // One transition being superseded plus the one superseding it: enough to preempt a slow drain at once,
    // while a storm of toggles only rewrites _desired (bounded memory).
    internal const int MaxOutstanding = 2;

    private static readonly object DebounceTimer = new();
    private static readonly object UntilTimer = new();

    private readonly MaintenanceOptions _options;
    private readonly MaintenanceEventFilter _filter;
    private readonly Dictionary<(string Source, string Key), SourceVote> _votes = new();
    private readonly Dictionary<string, ResourceEntry> _resources = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SourceHealth> _sourceHealth = new(StringComparer.Ordinal);
    private readonly Dictionary<long, TransitionRun> _outstanding = new();
    private readonly List<(bool Enabled, IActorRef ReplyTo)> _waiters = new();
    private readonly List<IActorRef> _shutdownWaiters = new();
    private bool _shuttingDown;
    private readonly List<ResourceRegistration> _initialResources;

    private bool _desired;
    private MaintenanceInfo? _desiredInfo;
    private long _epoch;
    private bool _sentTarget;
    private bool _applied;
    private long _manualRevision;
    private MaintenanceTransitionCompleted? _lastTransition;
    private MaintenanceMetrics _metrics = null!;
    private readonly MaintenanceStateCell _state;

    /// <summary>Creates the supervisor with its resources (more can be added with <see cref="AddResource"/>).</summary>
    public MaintenanceSupervisor(MaintenanceOptions options, IEnumerable<ResourceRegistration> resources, MaintenanceEventFilter? filter = null)
        : this(options, resources, filter, new MaintenanceStateCell())
    {
    }

    internal MaintenanceSupervisor(MaintenanceOptions options, IEnumerable<ResourceRegistration> resources, MaintenanceEventFilter? filter, MaintenanceStateCell state)
    {
        _state = state;
        _options = options;
        _filter = filter ?? MaintenanceEventFilter.All;
        _initialResources = resources.ToList();

        Receive<MaintenanceStateChanged>(OnStateChanged);
        Receive<SetMaintenanceMode>(OnSetManual);
        Receive<DebounceElapsed>(_ => Drive());
        Receive<UntilReached>(_ => Reevaluate(null));
        Receive<TransitionResults>(OnTransitionResults);
        Receive<ResourceStarted>(OnResourceStarted);
        Receive<DrainCompleted>(d => Record(d));
        Receive<ResumeCompleted>(r => Record(r));
        Receive<ResourceHealthChanged>(OnResourceHealth);
        Receive<SourceHealthChanged>(h =>
        {
            _sourceHealth[h.Health.Source] = h.Health;
            _state.SetSource(h.Health);
        }, h => _filter.Sources is null || _filter.Sources.Contains(h.Health.Source));
        Receive<SourceHealthChanged>(_ => { });
        Receive<GetMaintenanceStatus>(_ => Sender.Tell(BuildStatus(), Self));
        Receive<GetHealth>(_ => Sender.Tell(BuildHealth(), Self));
        Receive<GetResourceStats>(_ => GatherStats(Sender));
        Receive<GetResourceNames>(_ => Sender.Tell((IReadOnlyList<string>)_resources.Keys.Order(StringComparer.Ordinal).ToArray(), Self));
        Receive<WaitForMaintenanceMode>(OnWait);
        Receive<DrainForShutdown>(_ => OnShutdown());
        Receive<AddResource>(add =>
        {
            try
            {
                StartResource(add.Registration);
                Sender.Tell(new Status.Success(add.Registration.Name), Self);
            }
            catch (Exception ex)
            {
                Sender.Tell(new Status.Failure(ex), Self);
            }
        });
    }

    /// <summary>Injected by the kernel; drives the optional debounce.</summary>
    public ITimerScheduler Timers { get; set; } = null!;

    /// <inheritdoc />
    protected override void PreStart()
    {
        _metrics = MaintenanceMetrics.For(Context.System);
        Context.System.EventStream.Subscribe(Self, typeof(MaintenanceStateChanged));
        Context.System.EventStream.Subscribe(Self, typeof(SourceHealthChanged));
        // Sources that started first, or kept running while this supervisor restarted, tell us their current values.
        Context.System.EventStream.Publish(new MaintenanceStateRequested(Self));
        foreach (var registration in _initialResources)
        {
            StartResource(registration);
        }
    }

    /// <inheritdoc />
    protected override void PostStop() => Context.System.EventStream.Unsubscribe(Self);

    private void StartResource(ResourceRegistration registration)
    {
        if (_resources.ContainsKey(registration.Name))
        {
            throw new MaintenanceConfigurationException($"Maintenance:Resources:{registration.Name}",
                "is registered twice; give each resource a unique name");
        }
        registration.Options.Validate(registration.Name);
        // A crashed resource is stopped and started again after an exponential backoff; its PreStart then asks for the
        // desired state. The backoff supervisor forwards our messages to the resource and passes what the resource tells
        // its parent on to us with itself as sender, so the resource is known here by the backoff supervisor's ref.
        var backoff = Backoff.OnFailure(registration.Props(), registration.Name, _options.RestartMinBackoff, _options.RestartMaxBackoff, 0.2, -1)
            .WithAutoReset(_options.RestartMaxBackoff);
        var child = Context.ActorOf(BackoffSupervisor.Props(backoff), registration.Name);
        _resources[registration.Name] = new ResourceEntry(registration, child);
    }

    private void OnStateChanged(MaintenanceStateChanged changed)
    {
        if (!_filter.Accepts(changed))
        {
            return;
        }
        var key = (changed.Source, changed.Key);
        if (_votes.TryGetValue(key, out var previous) && previous.Revision >= changed.Revision && !changed.IsResync)
        {
            return; // stale or repeated: sources may re-send what the supervisor already has
        }
        _votes[key] = new SourceVote(changed.Source, changed.Key, changed.Enabled, changed.Info, changed.Revision, changed.ObservedAt);
        Reevaluate(changed);
    }

    // Maintenance is on while any vote is on and its "until" (if any) lies ahead on this actor system's clock; a timer wakes
    // the supervisor exactly at the next "until" so an expired vote ends maintenance on time.
    private void Reevaluate(MaintenanceStateChanged? changed)
    {
        var now = Context.System.Clock().GetUtcNow();
        var enabledVote = _votes.Values.Where(v => v.IsActiveAt(now)).OrderBy(v => v.ObservedAt).FirstOrDefault();
        var nextUntil = _votes.Values.Where(v => v.IsActiveAt(now) && v.Info?.Until is not null).Select(v => v.Info!.Until!.Value).DefaultIfEmpty().Min();
        if (nextUntil != default)
        {
            var delay = nextUntil - now;
            Timers.StartSingleTimer(UntilTimer, UntilReached.Instance, delay > TimeSpan.Zero ? delay : TimeSpan.FromMilliseconds(1));
        }
        else if (Timers.IsTimerActive(UntilTimer))
        {
            Timers.Cancel(UntilTimer);
        }
        var desired = enabledVote is not null;
        var previousInfo = _desiredInfo;
        _desiredInfo = enabledVote?.Info;
        if (desired == _desired)
        {
            if (desired && _sentTarget && _desiredInfo != previousInfo)
            {
                // E.g. the operator extended "until": refusals (and Retry-After) should say so without a new drain.
                foreach (var resource in _resources.Values)
                {
                    resource.Actor.Tell(new MaintenanceInfoChanged(_epoch, _desiredInfo), Self);
                }
            }
            return;
        }
        _desired = desired;
        // Set before any Enter is sent, so readiness reports unhealthy before a single resource stops intake.
        _state.Desired = desired;
        _metrics.SetInMaintenance(desired);
        if (changed is not null)
        {
            Log.LogInformation("Maintenance desired state is now {Enabled} (source {Source}, key {Key}, revision {Revision})",
                desired, changed.Source, changed.Key, changed.Revision);
        }
        else
        {
            Log.LogInformation("Maintenance desired state is now {Enabled}: the 'until' of the last vote for maintenance passed at {Now}", desired, now);
        }
        if (_options.Debounce > TimeSpan.Zero && !_shuttingDown)
        {
            Timers.StartSingleTimer(DebounceTimer, DebounceElapsed.Instance, _options.Debounce);
            return;
        }
        Drive();
    }

    private void OnSetManual(SetMaintenanceMode set)
    {
        OnStateChanged(new MaintenanceStateChanged(ManualSource, ManualSource, set.Enabled, set.Info, ++_manualRevision, Context.System.Clock().GetUtcNow()));
        Sender.Tell(new Status.Success(set.Enabled), Self);
    }

    private void Drive()
    {
        if (_desired == _sentTarget || _outstanding.Count >= MaxOutstanding || Timers.IsTimerActive(DebounceTimer))
        {
            return;
        }
        var epoch = ++_epoch;
        var target = _desired;
        _sentTarget = target;
        var run = new TransitionRun(epoch, target, Context.System.Clock().GetTimestamp());
        _outstanding[epoch] = run;
        var now = Context.System.Clock().GetUtcNow();
        var self = Self;
        DateTimeOffset? deadline = target && _resources.Count > 0 ? _resources.Values.Max(r => now + DrainTimeoutOf(r)) : null;
        Context.System.EventStream.Publish(new MaintenanceTransitionStarted(epoch, target, target ? _desiredInfo : null, now, deadline));
        if (target)
        {
            var asks = _resources.Values.Select(r => AskDrain(r, epoch, now)).ToArray();
            Task.WhenAll(asks).PipeTo(self, self, success: drains => new TransitionResults(epoch, drains, Array.Empty<ResumeCompleted>()));
        }
        else
        {
            var asks = _resources.Values.Select(r => AskResume(r, epoch)).ToArray();
            Task.WhenAll(asks).PipeTo(self, self, success: resumes => new TransitionResults(epoch, Array.Empty<DrainCompleted>(), resumes));
        }
    }

    private Task<DrainCompleted> AskDrain(ResourceEntry resource, long epoch, DateTimeOffset now)
    {
        var timeout = DrainTimeoutOf(resource);
        var message = new EnterMaintenance(epoch, now + timeout, _desiredInfo);
        var name = resource.Registration.Name;
        var started = Context.System.Clock().GetTimestamp();
        var time = Context.System.Clock();
        return resource.Actor.Ask<DrainCompleted>(message, timeout + _options.ReplyGrace).ContinueWith(t => t.IsCompletedSuccessfully
            ? t.Result
            : new DrainCompleted(name, epoch, DrainOutcome.Failed, -1, time.GetElapsedTime(started), NoAnswer(name, t)), TaskScheduler.Default);
    }

    private TimeSpan DrainTimeoutOf(ResourceEntry resource)
    {
        var timeout = resource.Registration.Options.DrainTimeout ?? _options.DrainTimeout;
        return _shuttingDown && _options.ShutdownDrainTimeout < timeout ? _options.ShutdownDrainTimeout : timeout;
    }

    private Task<ResumeCompleted> AskResume(ResourceEntry resource, long epoch)
    {
        var name = resource.Registration.Name;
        var started = Context.System.Clock().GetTimestamp();
        var time = Context.System.Clock();
        return resource.Actor.Ask<ResumeCompleted>(new ExitMaintenance(epoch), _options.ResumeTimeout + _options.ReplyGrace).ContinueWith(t => t.IsCompletedSuccessfully
            ? t.Result
            : new ResumeCompleted(name, epoch, ResumeOutcome.Failed, time.GetElapsedTime(started), NoAnswer(name, t)), TaskScheduler.Default);
    }

    private static Exception NoAnswer(string resource, Task task) =>
        task.Exception?.InnerException is { } inner and not AskTimeoutException
            ? inner
            : new TimeoutException($"Resource '{resource}' did not answer before its deadline (it may be restarting after a crash)");

    private void OnTransitionResults(TransitionResults results)
    {
        if (!_outstanding.Remove(results.Epoch, out var run))
        {
            return;
        }
        foreach (var drain in results.Drains) Record(drain);
        foreach (var resume in results.Resumes) Record(resume);
        var superseded = results.Epoch != _epoch;
        var completed = new MaintenanceTransitionCompleted(results.Epoch, run.Enabled, superseded, results.Drains, results.Resumes,
            Context.System.Clock().GetElapsedTime(run.StartedAt));
        if (!superseded)
        {
            _applied = run.Enabled;
            _state.Applied = run.Enabled;
            _lastTransition = completed;
        }
        _metrics.RecordTransition(run.Enabled, superseded ? "superseded" : completed.Succeeded ? "succeeded" : "partial");
        Log.LogInformation("Maintenance transition {Epoch} to {Enabled} completed in {Duration} (superseded: {Superseded}, clean: {Succeeded})",
            completed.Epoch, completed.Enabled, completed.Duration, superseded, completed.Succeeded);
        Context.System.EventStream.Publish(completed);
        // Also after a superseded one: it may be the last outstanding transition, finishing after the newer one.
        AnswerWaiters();
        Drive();
        AnswerShutdownWaiters();
    }

    private void OnShutdown()
    {
        _shuttingDown = true;
        _shutdownWaiters.Add(Sender);
        if (Timers.IsTimerActive(DebounceTimer))
        {
            Timers.Cancel(DebounceTimer); // a host stop does not wait out a debounce
        }
        // A vote no source can take back: maintenance is on while any vote is on.
        OnStateChanged(new MaintenanceStateChanged(ShutdownSource, ShutdownSource, true, new MaintenanceInfo("shutting down", Environment.MachineName),
            1, Context.System.Clock().GetUtcNow()));
        Drive();
        AnswerShutdownWaiters();
    }

    private void AnswerShutdownWaiters()
    {
        if (_shutdownWaiters.Count == 0 || _outstanding.Count != 0 || !_applied || !_desired)
        {
            return;
        }
        foreach (var waiter in _shutdownWaiters)
        {
            waiter.Tell(new ShutdownDrainCompleted(_lastTransition), Self);
        }
        _shutdownWaiters.Clear();
    }

    private void OnResourceStarted(ResourceStarted started)
    {
        if (!_resources.TryGetValue(started.Resource, out var entry) || !entry.Actor.Equals(Sender))
        {
            return;
        }
        entry.Starts++;
        if (entry.Starts > 1)
        {
            Log.LogWarning("Resource {Resource} restarted ({Restarts} so far); re-applying maintenance {Enabled}", started.Resource, entry.Starts - 1, _sentTarget);
        }
        // Re-apply what was last sent; replies come back here as plain DrainCompleted / ResumeCompleted.
        object message = _sentTarget
            ? new EnterMaintenance(_epoch, Context.System.Clock().GetUtcNow() + (entry.Registration.Options.DrainTimeout ?? _options.DrainTimeout), _desiredInfo)
            : new ExitMaintenance(_epoch);
        entry.Actor.Tell(message, Self);
    }

    private void Record(DrainCompleted drain)
    {
        if (_resources.TryGetValue(drain.Resource, out var entry) && drain.Epoch >= entry.LastEpoch)
        {
            entry.LastEpoch = drain.Epoch;
            entry.LastDrain = drain;
        }
    }

    private void Record(ResumeCompleted resume)
    {
        if (_resources.TryGetValue(resume.Resource, out var entry) && resume.Epoch >= entry.LastEpoch)
        {
            entry.LastEpoch = resume.Epoch;
            entry.LastResume = resume;
        }
    }

    private void OnResourceHealth(ResourceHealthChanged changed)
    {
        if (_resources.TryGetValue(changed.Health.Resource, out var entry))
        {
            entry.Health = changed.Health;
            Context.System.EventStream.Publish(changed);
        }
    }

    private void OnWait(WaitForMaintenanceMode wait)
    {
        if (_outstanding.Count == 0 && _applied == wait.Enabled && _desired == wait.Enabled)
        {
            Sender.Tell(true, Self);
            return;
        }
        // Waiters whose Ask timed out are dropped on the next completed transition; cap the list so
        // a caller polling in a loop cannot grow it without bound.
        if (_waiters.Count >= 1024)
        {
            _waiters.RemoveAt(0);
        }
        _waiters.Add((wait.Enabled, Sender));
    }

    private void AnswerWaiters()
    {
        if (_outstanding.Count != 0 || _applied != _desired)
        {
            return;
        }
        for (var i = _waiters.Count - 1; i >= 0; i--)
        {
            if (_waiters[i].Enabled == _applied)
            {
                _waiters[i].ReplyTo.Tell(true, Self);
                _waiters.RemoveAt(i);
            }
        }
    }

    private void GatherStats(IActorRef replyTo)
    {
        var asks = _resources.Values.Select(r => r.Actor.Ask<ResourceStats>(GetResourceStats.Instance, _options.ReplyGrace + TimeSpan.FromSeconds(1))
            .ContinueWith(t => t.IsCompletedSuccessfully ? t.Result : null, TaskScheduler.Default)).ToArray();
        Task.WhenAll(asks).PipeTo(replyTo, Self,
            success: stats => new ResourceStatsReport(stats.Where(s => s is not null).Select(s => s!).ToArray()));
    }

    private MaintenanceStatus BuildStatus() => new(
        _desired,
        _epoch,
        _outstanding.Count > 0 || _desired != _sentTarget,
        _applied,
        // A vote past its "until" is shown as off (with its until), as it counts: reasons list only what holds maintenance now.
        _votes.Values.OrderBy(v => v.Source, StringComparer.Ordinal).ThenBy(v => v.Key, StringComparer.Ordinal)
            .Select(v => v.Enabled && !v.IsActiveAt(Context.System.Clock().GetUtcNow()) ? v with { Enabled = false } : v).ToArray(),
        _lastTransition);

    private MaintenanceHealthReport BuildHealth() => new(
        _desired,
        _resources.ToDictionary(r => r.Key, r => r.Value.Health ?? new ResourceHealth(r.Key, ComponentHealth.Healthy, "no report yet"), StringComparer.Ordinal),
        new Dictionary<string, SourceHealth>(_sourceHealth, StringComparer.Ordinal));

    private sealed class ResourceEntry(ResourceRegistration registration, IActorRef actor)
    {
        public ResourceRegistration Registration { get; } = registration;
        public IActorRef Actor { get; } = actor;
        public int Starts { get; set; }
        public long LastEpoch { get; set; } = -1;
        public DrainCompleted? LastDrain { get; set; }
        public ResumeCompleted? LastResume { get; set; }
        public ResourceHealth? Health { get; set; }
    }

    private sealed record TransitionRun(long Epoch, bool Enabled, long StartedAt);

    private sealed record TransitionResults(long Epoch, IReadOnlyList<DrainCompleted> Drains, IReadOnlyList<ResumeCompleted> Resumes);

    private sealed class UntilReached
    {
        public static readonly UntilReached Instance = new();
    }

    private sealed class DebounceElapsed
    {
        public static readonly DebounceElapsed Instance = new();
    }
}
