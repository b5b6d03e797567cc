using System.Collections.Concurrent;
using MaintenanceActors.Actors.Dispatch;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors;

/// <summary>A hierarchy of actors with its own clock, logging, EventStream and dead letters.</summary>
public sealed class ActorSystem : IAsyncDisposable, IDisposable
{
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<Type, ILogger> _loggers = new();
    private readonly ActorCell _guardian;
    private int _terminateRequested;

    private ActorSystem(string name, ActorSystemOptions options)
    {
        Name = name;
        Options = options;
        TimeProvider = options.TimeProvider;
        LoggerFactory = options.LoggerFactory;
        Services = options.Services ?? EmptyServiceProvider.Instance;
        KernelLog = LoggerFactory.CreateLogger("MaintenanceActors.Actors.ActorSystem");
        EventStream = new EventStream();
        var deadLetters = new DeadLetterActorRef(this);
        DeadLetters = deadLetters;
        _guardian = ActorCell.CreateGuardian(this);
    }

    /// <summary>The name given at creation.</summary>
    public string Name { get; }

    /// <summary>The clock used by timers, Ask timeouts and backoff.</summary>
    public TimeProvider TimeProvider { get; }

    /// <summary>Creates the loggers of the kernel and of actors.</summary>
    public ILoggerFactory LoggerFactory { get; }

    /// <summary>Services available to <see cref="Props.FromServices{TActor}"/>.</summary>
    public IServiceProvider Services { get; }

    /// <summary>Publish/subscribe by message type; also carries DeadLetter and UnhandledMessage.</summary>
    public EventStream EventStream { get; }

    /// <summary>Messages sent here are published as <see cref="DeadLetter"/>.</summary>
    public IActorRef DeadLetters { get; }

    /// <summary>Completes when the system has stopped every actor after <see cref="Terminate"/>.</summary>
    public Task WhenTerminated => _terminated.Task;

    internal ActorSystemOptions Options { get; }

    internal ILogger KernelLog { get; }

    /// <summary>Sender used by the implicit-sender Tell when called outside any actor (the TestKit points it at its probe).</summary>
    internal IActorRef? ExternalDefaultSender { get; set; }

    /// <summary>Creates a system; options are validated and fail fast naming the field.</summary>
    public static ActorSystem Create(string name, ActorSystemOptions? options = null)
    {
        if (string.IsNullOrWhiteSpace(name))
        {
            throw new ArgumentException("Actor system name must not be empty; e.g. \"maintenance\".", nameof(name));
        }

        options ??= new ActorSystemOptions();
        options.Validate();
        return new ActorSystem(name, options);
    }

    /// <summary>Creates a top-level actor under <c>/user</c>.</summary>
    public IActorRef ActorOf(Props props, string? name = null)
    {
        if (Volatile.Read(ref _terminateRequested) != 0)
        {
            throw new InvalidOperationException($"Actor system '{Name}' is terminating; no new actors can be created.");
        }

        return _guardian.ActorOf(props, name);
    }

    /// <summary>Stops an actor (its children first); later messages go to dead letters.</summary>
    public void Stop(IActorRef actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        if (actor is LocalActorRef local)
        {
            local.Cell.SendSystem(SystemMessage.Terminate.Instance);
        }
    }

    /// <summary>Stops every actor (children before parents, PostStop for each) and completes <see cref="WhenTerminated"/>.</summary>
    public Task Terminate()
    {
        if (Interlocked.Exchange(ref _terminateRequested, 1) == 0)
        {
            _guardian.SendSystem(SystemMessage.Terminate.Instance);
        }

        return WhenTerminated;
    }

    /// <summary>Terminates the system and waits for it.</summary>
    public async ValueTask DisposeAsync() => await Terminate().ConfigureAwait(false);

    /// <summary>Terminates the system and blocks until it has stopped, at most <see cref="ActorSystemOptions.DisposeTimeout"/>.</summary>
    public void Dispose() => Terminate().Wait(Options.DisposeTimeout);

    /// <inheritdoc />
    public override string ToString() => $"ActorSystem({Name})";

    internal ILogger LoggerFor(Type actorType) => _loggers.GetOrAdd(actorType, static (t, f) => f.CreateLogger(t), LoggerFactory);

    internal void OnGuardianTerminated() => _terminated.TrySetResult();

    internal void PublishDeadLetter(object message, IActorRef sender, IActorRef recipient)
    {
        if (message is DeadLetter or Timers.TimerMessage)
        {
            return; // a timer racing with its actor's stop is not a lost message
        }

        if (sender is Ask.IAskPromise promise)
        {
            promise.TargetTerminated(recipient);
        }

        KernelLog.LogDebug("Dead letter {MessageType} from {Sender} to {Recipient}", message.GetType().Name, sender.Path.ToString(), recipient.Path.ToString());
        EventStream.Publish(new DeadLetter(message, sender, recipient));
    }

    private sealed class EmptyServiceProvider : IServiceProvider
    {
        public static readonly EmptyServiceProvider Instance = new();

        public object? GetService(Type serviceType) => null;
    }
}
