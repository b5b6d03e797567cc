using System.Runtime.ExceptionServices;
using Akka.Actor;
using MaintenanceActors.Etcd;
using MaintenanceActors.Fleet;

namespace MaintenanceActors;

/// <summary>Runs the maintenance actors in an actor system: the supervisor, its resources and the sources; implements <see cref="IMaintenance"/>.</summary>
/// <remarks>
/// Resources and sources may be registered before <see cref="Start"/>; resources also after it. Names are
/// unique; starting twice throws; stopping when not started does nothing.
/// </remarks>
public sealed class MaintenanceCoordinator : IMaintenance, IAsyncDisposable
{
    /// <summary>The supervisor's actor name (under /user).</summary>
    public const string SupervisorName = "maintenance-supervisor";

    /// <summary>The instance status publisher's actor name (under /user), running when a fleet publishes status.</summary>
    public const string StatusPublisherName = "maintenance-status";

    private readonly ActorSystem _system;
    private readonly MaintenanceOptions _options;
    private readonly object _gate = new();
    private readonly List<ResourceRegistration> _resources = new();
    private readonly List<(string Name, Func<Props> Props)> _sources = new();
    private readonly List<IActorRef> _sourceActors = new();
    private readonly MaintenanceEventFilter? _filter;
    private IActorRef? _supervisor;
    private EtcdSourceOptions? _etcd;
    private IEtcdWatchBackend? _etcdBackend;
    private EtcdClient? _ownedClient;
    private FleetOptions? _fleet;
    private IFleetStatusStore? _statusStore;
    private IActorRef? _statusPublisher;
    private readonly MaintenanceStateCell _state = new();
    private bool _started;

    /// <summary>Creates a coordinator for <paramref name="system"/>; nothing runs until <see cref="Start"/>.</summary>
    public MaintenanceCoordinator(ActorSystem system, MaintenanceOptions? options = null, MaintenanceEventFilter? filter = null)
    {
        _system = system;
        _options = options ?? new MaintenanceOptions();
        _filter = filter;
    }

    /// <summary>The supervisor actor; throws before <see cref="Start"/>.</summary>
    public IActorRef Supervisor => _supervisor ?? throw new InvalidOperationException("The maintenance coordinator is not started; call Start first.");

    /// <summary>True once started and until stopped.</summary>
    public bool IsStarted
    {
        get { lock (_gate) return _started; }
    }

    /// <inheritdoc />
    public bool IsInMaintenance => _state.Desired;

    /// <summary>The options in use (validated at start).</summary>
    internal MaintenanceOptions Options => _options;

    /// <summary>The last health of each source, readable from any thread (readiness reads it on every probe).</summary>
    internal IReadOnlyDictionary<string, SourceHealth> SourceHealth => _state.Sources;

    /// <summary>The actor system's clock.</summary>
    internal TimeProvider Clock => _system.Clock();

    /// <summary>Uses etcd as a source through <paramref name="client"/>, and as the target of <see cref="SetMaintenanceModeAsync(bool, MaintenanceInfo?, CancellationToken)"/>.</summary>
    public MaintenanceCoordinator UseEtcd(EtcdSourceOptions options, EtcdClient client, bool ownsClient = false)
    {
        UseEtcd(options, new EtcdClientBackend(client, options));
        _statusStore = new EtcdFleetStatusStore(client);
        if (ownsClient)
        {
            _ownedClient = client;
        }
        return this;
    }

    internal MaintenanceCoordinator UseEtcd(EtcdSourceOptions options, IEtcdWatchBackend backend)
    {
        options.Validate();
        lock (_gate)
        {
            ThrowIfStarted("configure etcd");
            _etcd = options;
            _etcdBackend = backend;
            var memory = new EtcdWatcherMemory(); // shared by every incarnation of the watcher, so a restart publishes nothing twice
            _sources.Add((options.SourceName, () => FactoryProps.Create(() => new EtcdWatcher(options, backend, null, memory))));
        }
        return this;
    }

    /// <summary>
    /// Makes this instance part of a fleet: the etcd source also watches the instance's own key
    /// (<c>&lt;etcd key&gt;/instances/&lt;id&gt;</c>), and the instance is in maintenance while either key says so.
    /// </summary>
    public MaintenanceCoordinator UseFleet(FleetOptions fleet)
    {
        ArgumentNullException.ThrowIfNull(fleet);
        fleet.Validate();
        lock (_gate)
        {
            ThrowIfStarted("configure the fleet");
            _fleet = fleet;
        }
        return this;
    }

    /// <summary>The fleet settings, when <see cref="UseFleet"/> was called.</summary>
    public FleetOptions? Fleet => _fleet;

    /// <summary>Adds a source actor (e.g. a <see cref="MaintenanceSourceActor"/>), started after the supervisor.</summary>
    public MaintenanceCoordinator AddSource(string name, Func<Props> props)
    {
        ResourceNames.Check(name, "Maintenance:Sources");
        lock (_gate)
        {
            ThrowIfStarted("add a source");
            if (_sources.Any(s => s.Name == name) || name == ScheduleSourceActor.Name)
            {
                throw new MaintenanceConfigurationException($"Maintenance:Sources:{name}", "is registered twice; give each source a unique name");
            }
            _sources.Add((name, props));
        }
        return this;
    }

    /// <summary>Registers a resource; after <see cref="Start"/> it is started at once. Duplicate names throw.</summary>
    public async Task RegisterResourceAsync(ResourceRegistration registration, CancellationToken cancellationToken = default)
    {
        ResourceNames.Check(registration.Name, "Maintenance:Resources");
        registration.Options.Validate(registration.Name);
        IActorRef? supervisor;
        lock (_gate)
        {
            supervisor = _supervisor;
            if (supervisor is null)
            {
                if (_resources.Any(r => r.Name == registration.Name))
                {
                    throw Duplicate(registration.Name);
                }
                _resources.Add(registration);
                return;
            }
        }
        // Akka's Ask<Status.Success> would fail a Status.Failure answer with an ArgumentException about the reply's type,
        // hiding the supervisor's reason (e.g. a duplicate name): ask for either and rethrow the cause.
        var answer = await supervisor.Ask<Status>(new AddResource(registration), _options.ReplyGrace + TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
        if (answer is Status.Failure failure)
        {
            ExceptionDispatchInfo.Capture(failure.Cause).Throw();
        }
    }

    /// <summary>Registers a resource before start (synchronous form used by the builder).</summary>
    public void RegisterResource(ResourceRegistration registration)
    {
        lock (_gate)
        {
            ThrowIfStarted("register a resource synchronously (use RegisterResourceAsync)");
        }
        RegisterResourceAsync(registration).GetAwaiter().GetResult();
    }

    /// <summary>Names of the registered resources.</summary>
    public async Task<IReadOnlyList<string>> GetResourceNamesAsync(CancellationToken cancellationToken = default)
    {
        IActorRef? supervisor;
        lock (_gate)
        {
            supervisor = _supervisor;
            if (supervisor is null)
            {
                return _resources.Select(r => r.Name).Order(StringComparer.Ordinal).ToArray();
            }
        }
        return await supervisor.Ask<IReadOnlyList<string>>(GetResourceNames.Instance, QueryTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Starts the supervisor, its resources, then the sources; validates the options first. Throws when already started.</summary>
    public void Start()
    {
        lock (_gate)
        {
            if (_started)
            {
                throw new InvalidOperationException("The maintenance coordinator is already started; stop it before starting it again.");
            }
            _options.Validate();
            var sources = SourcesToStart();
            var resources = _resources.ToArray();
            _supervisor = _system.ActorOf(FactoryProps.Create(() => new MaintenanceSupervisor(_options, resources, _filter, _state)), SupervisorName);
            foreach (var (name, props) in sources)
            {
                _sourceActors.Add(_system.ActorOf(props(), "maintenance-source-" + name));
            }
            if (_fleet is { PublishStatus: true } fleet && _statusStore is { } store && _etcd is { } etcd)
            {
                var supervisor = _supervisor;
                _statusPublisher = _system.ActorOf(
                    FactoryProps.Create(() => new InstanceStatusPublisher(fleet, etcd.Key, supervisor, store)), StatusPublisherName);
            }
            _started = true;
        }
    }

    // The schedule source first, so it hears the first values with windows; with a fleet, a second etcd watcher for the instance's key.
    private List<(string Name, Func<Props> Props)> SourcesToStart()
    {
        var sources = new List<(string Name, Func<Props> Props)> { (ScheduleSourceActor.Name, () => Props.Create(() => new ScheduleSourceActor())) };
        sources.AddRange(_sources);
        if (_fleet is null)
        {
            return sources;
        }
        if (_etcd is null || _etcdBackend is null)
        {
            throw new MaintenanceConfigurationException("Maintenance:Fleet:Service", "needs the etcd source (UseEtcd), whose key is the service-wide key");
        }
        if (_etcd.Prefix)
        {
            throw new MaintenanceConfigurationException("Maintenance:Etcd:Prefix",
                "cannot be combined with Maintenance:Fleet:Service: a prefix watch would count every other instance's key too; set Prefix to false");
        }
        if (_fleet.InstanceSourceName == _etcd.SourceName || sources.Any(s => s.Name == _fleet.InstanceSourceName))
        {
            throw new MaintenanceConfigurationException("Maintenance:Fleet:InstanceSourceName", $"'{_fleet.InstanceSourceName}' is already the name of another source");
        }
        var instance = _etcd.ForKey(_fleet.InstanceKey(_etcd.Key), _fleet.InstanceSourceName);
        var backend = _etcdBackend;
        var memory = new EtcdWatcherMemory();
        sources.Add((instance.SourceName, () => FactoryProps.Create(() => new EtcdWatcher(instance, backend, null, memory))));
        return sources;
    }

    /// <summary>Async form of <see cref="Start"/>.</summary>
    public Task StartAsync(CancellationToken cancellationToken = default)
    {
        Start();
        return Task.CompletedTask;
    }

    /// <summary>Stops the sources, then the supervisor and its resources, and waits until they are gone. Does nothing when not started.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        await RevokeStatusAsync(cancellationToken).ConfigureAwait(false);
        IActorRef[] targets;
        lock (_gate)
        {
            if (!_started)
            {
                return;
            }
            var publisher = _statusPublisher;
            _statusPublisher = null;
            targets = _sourceActors.Append(_supervisor!).Concat(publisher is null ? [] : [publisher]).ToArray();
            _sourceActors.Clear();
            _supervisor = null;
            _state.Desired = false;
            _started = false;
        }
        var gone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            _system.ActorOf(FactoryProps.Create(() => new StopAndWatch(targets, gone)));
        }
        catch (InvalidOperationException)
        {
            // The system is shutting down (host stop): it stops every actor itself.
            return;
        }
        // Waiting lets a later Start reuse the actor names; a system that is shutting down may never confirm.
        await Task.WhenAny(gone.Task, _system.WhenTerminated).WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Takes this instance's status out of etcd at once (revokes its lease) and stops publishing it; the host calls this when it
    /// stops. Answered at once when no status is published. etcd unreachable or slow: the lease expires by itself.
    /// </summary>
    internal async Task RevokeStatusAsync(CancellationToken cancellationToken = default)
    {
        IActorRef? publisher;
        lock (_gate)
        {
            publisher = _statusPublisher;
        }
        if (publisher is null)
        {
            return;
        }
        try
        {
            // On SIGTERM Akka's own exit hook may have stopped the publisher already (its PostStop revokes the lease): an Ask
            // to it would only wait out RevokeTimeout, so stop waiting as soon as it is gone.
            using var stopWaiting = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var revoked = publisher.Ask<object>(RevokeStatus.Instance, RevokeTimeout, stopWaiting.Token);
            var gone = publisher.WatchAsync(stopWaiting.Token);
            await Task.WhenAny(revoked, gone).ConfigureAwait(false);
            await stopWaiting.CancelAsync().ConfigureAwait(false);
            if (revoked.IsCompleted)
            {
                await revoked.ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is AskTimeoutException or OperationCanceledException or Grpc.Core.RpcException or InvalidOperationException)
        {
            // etcd unreachable or the system stopping: the lease expires by itself.
        }
    }

    /// <inheritdoc />
    public Task SetMaintenanceModeAsync(bool enabled, string? reason = null, CancellationToken cancellationToken = default) =>
        SetMaintenanceModeAsync(enabled, reason is null ? null : new MaintenanceInfo(reason, Environment.MachineName), cancellationToken);

    /// <summary>As <see cref="SetMaintenanceModeAsync(bool, string?, CancellationToken)"/>, with reason, author and end time written as JSON.</summary>
    public async Task SetMaintenanceModeAsync(bool enabled, MaintenanceInfo? info, CancellationToken cancellationToken = default)
    {
        if (_etcd is not null && _etcdBackend is not null)
        {
            await _etcdBackend.PutAsync(_etcd.Key, MaintenanceValueParser.Format(enabled, info), cancellationToken).ConfigureAwait(false);
            return;
        }
        await Supervisor.Ask<Status.Success>(new SetMaintenanceMode(enabled, info), QueryTimeout, cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc />
    public async Task<bool> GetMaintenanceModeAsync(CancellationToken cancellationToken = default)
    {
        if (_etcd is not null && _etcdBackend is not null && _fleet is null)
        {
            var snapshot = await _etcdBackend.ReadAsync(_etcd.Key, _etcd.Prefix, cancellationToken).ConfigureAwait(false);
            return snapshot.Entries.Any(e => MaintenanceValueParser.Parse(e.Value, e.Key, e.ModRevision).Enabled);
        }
        return (await GetStatusAsync(cancellationToken).ConfigureAwait(false)).InMaintenance;
    }

    /// <summary>
    /// Enters maintenance for good and waits until every resource drained or reached its deadline (capped at
    /// <see cref="MaintenanceOptions.ShutdownDrainTimeout"/>); run by CoordinatedShutdown when the host stops.
    /// Returns the drain's transition report, or null when the coordinator is not running or did not answer in time.
    /// </summary>
    public async Task<MaintenanceTransitionCompleted?> DrainForShutdownAsync(CancellationToken cancellationToken = default)
    {
        IActorRef? supervisor;
        lock (_gate)
        {
            supervisor = _supervisor;
        }
        if (supervisor is null)
        {
            return null;
        }
        // Readiness reports unhealthy from here on, before a single resource stops taking work.
        _state.Desired = true;
        try
        {
            var done = await supervisor.Ask<ShutdownDrainCompleted>(DrainForShutdown.Instance,
                _options.ShutdownDrainTimeout + _options.ReplyGrace + _options.ReplyGrace, cancellationToken).ConfigureAwait(false);
            return done.Transition;
        }
        catch (AskTimeoutException)
        {
            return null;
        }
    }

    /// <inheritdoc />
    public async Task<bool> WaitForMaintenanceModeAsync(bool enabled, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        try
        {
            return await Supervisor.Ask<bool>(new WaitForMaintenanceMode(enabled), timeout, cancellationToken).ConfigureAwait(false);
        }
        catch (AskTimeoutException)
        {
            return false;
        }
    }

    /// <inheritdoc />
    public Task<MaintenanceStatus> GetStatusAsync(CancellationToken cancellationToken = default) =>
        Supervisor.Ask<MaintenanceStatus>(GetMaintenanceStatus.Instance, QueryTimeout, cancellationToken);

    /// <inheritdoc />
    public Task<MaintenanceHealthReport> GetHealthAsync(CancellationToken cancellationToken = default) =>
        Supervisor.Ask<MaintenanceHealthReport>(GetHealth.Instance, QueryTimeout, cancellationToken);

    /// <summary>Statistics of every resource.</summary>
    public Task<ResourceStatsReport> GetResourceStatsAsync(CancellationToken cancellationToken = default) =>
        Supervisor.Ask<ResourceStatsReport>(GetResourceStats.Instance, QueryTimeout + _options.ReplyGrace, cancellationToken);

    /// <inheritdoc />
    public IDisposable Subscribe(MaintenanceEventFilter filter, Action<object> handler)
    {
        var subscription = new Subscription(_system);
        var guarded = subscription.Guard(handler);
        var relay = _system.ActorOf(FactoryProps.Create(() => new EventSubscriberActor(filter, guarded)));
        subscription.Relay = relay;
        // Subscribed here rather than in the relay's PreStart, so no event published after Subscribe returns is missed.
        foreach (var type in filter.EventTypes ?? EventSubscriberActor.DefaultEventTypes)
        {
            _system.EventStream.Subscribe(relay, type);
        }
        return subscription;
    }

    /// <summary>Stops (if started) and disposes the etcd client the coordinator created.</summary>
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        if (_ownedClient is not null)
        {
            _ownedClient.Dispose();
        }
    }

    private static TimeSpan QueryTimeout => TimeSpan.FromSeconds(10);

    // A revoke takes milliseconds; with etcd out of reach, a stopping host should not wait long for it (the lease expires anyway).
    private static TimeSpan RevokeTimeout => TimeSpan.FromSeconds(1);

    private void ThrowIfStarted(string what)
    {
        if (_started)
        {
            throw new InvalidOperationException($"Cannot {what} after the maintenance coordinator started.");
        }
    }

    private static MaintenanceConfigurationException Duplicate(string name) =>
        new($"Maintenance:Resources:{name}", "is registered twice; give each resource a unique name");

    /// <summary>Stops the targets in order and completes the given task source once every one has terminated.</summary>
    private sealed class StopAndWatch : ReceiveActor
    {
        private readonly HashSet<IActorRef> _left;
        private readonly IReadOnlyList<IActorRef> _targets;
        private readonly TaskCompletionSource _gone;

        public StopAndWatch(IReadOnlyList<IActorRef> targets, TaskCompletionSource gone)
        {
            _targets = targets;
            _gone = gone;
            _left = new HashSet<IActorRef>(targets);
            Receive<Terminated>(t =>
            {
                _left.Remove(t.ActorRef);
                if (_left.Count == 0)
                {
                    _gone.TrySetResult();
                    Context.Stop(Self);
                }
            });
        }

        protected override void PreStart()
        {
            foreach (var target in _targets)
            {
                Context.Watch(target);
                Context.System.Stop(target);
            }
        }
    }

    /// <summary>
    /// Ends a subscription at once: stopping the relay is asynchronous (it goes through the guardian, and the relay stays
    /// subscribed until it has stopped), so the handler is also guarded, and no event is handed to it after Dispose returns.
    /// </summary>
    private sealed class Subscription(ActorSystem system) : IDisposable
    {
        private int _disposed;

        public IActorRef Relay { get; set; } = ActorRefs.Nobody;

        public Action<object> Guard(Action<object> handler) => e =>
        {
            if (Volatile.Read(ref _disposed) == 0)
            {
                handler(e);
            }
        };

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                system.EventStream.Unsubscribe(Relay);
                system.Stop(Relay);
            }
        }
    }
}
