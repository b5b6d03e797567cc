using System.Collections.Concurrent;
using Akka.Actor;
using Akka.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaintenanceActors;

/// <summary>
/// What the maintenance actors of one actor system share beyond Akka itself: the clock they read and the
/// <see cref="ILoggerFactory"/> their structured logs go to.
/// </summary>
/// <remarks>
/// The clock reads Akka's scheduler, so actors and their timers agree on "now": <c>Scheduler.Now</c> for wall time
/// and <c>Scheduler.MonotonicClock</c> for durations. Under Akka.TestKit's <c>TestScheduler</c> the monotonic clock
/// keeps running in real time, so tests switch durations to the scheduler's virtual time with <see cref="UseVirtualTime"/>.
/// The logger factory is the host's (through Akka.DependencyInjection) unless one was set with <see cref="UseLoggerFactory"/>.
/// </remarks>
internal sealed class MaintenanceRuntime : IExtension
{
    private readonly ActorSystem _system;
    private readonly ConcurrentDictionary<Type, ILogger> _loggers = new();
    private ILoggerFactory? _loggerFactory;

    internal MaintenanceRuntime(ActorSystem system)
    {
        _system = system;
        Clock = new SchedulerClock(system.Scheduler, virtualTimestamps: false);
    }

    /// <summary>The clock of the actor system (wall time and timestamps for durations).</summary>
    public TimeProvider Clock { get; private set; }

    public static MaintenanceRuntime For(ActorSystem system) => system.WithExtension<MaintenanceRuntime, MaintenanceRuntimeProvider>();

    /// <summary>Durations follow the scheduler's <c>Now</c> (for a virtual scheduler that moves only when advanced).</summary>
    public void UseVirtualTime() => Clock = new SchedulerClock(_system.Scheduler, virtualTimestamps: true);

    /// <summary>Sends the actors' logs to <paramref name="factory"/>.</summary>
    public void UseLoggerFactory(ILoggerFactory factory)
    {
        _loggerFactory = factory;
        _loggers.Clear();
    }

    /// <summary>A logger whose category is <paramref name="type"/>.</summary>
    public ILogger Logger(Type type) => _loggers.GetOrAdd(type, t => LoggerFactory.CreateLogger(t));

    private ILoggerFactory LoggerFactory => _loggerFactory ??= ResolveLoggerFactory();

    private ILoggerFactory ResolveLoggerFactory()
    {
        if (_system.Settings.Setup.Get<DependencyResolverSetup>().HasValue)
        {
            try
            {
                if (DependencyResolver.For(_system).Resolver.GetService<ILoggerFactory>() is { } factory)
                {
                    return factory;
                }
            }
            catch (InvalidOperationException)
            {
                // No container behind the resolver: nothing to log to but the null logger.
            }
        }
        return NullLoggerFactory.Instance;
    }

    private sealed class SchedulerClock(IScheduler scheduler, bool virtualTimestamps) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => scheduler.Now;

        public override long GetTimestamp() => virtualTimestamps ? scheduler.Now.UtcTicks : scheduler.MonotonicClock.Ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;
    }
}

internal sealed class MaintenanceRuntimeProvider : ExtensionIdProvider<MaintenanceRuntime>
{
    public override MaintenanceRuntime CreateExtension(ExtendedActorSystem system) =>
        new(system);
}

/// <summary>Shortcuts for actors: <c>Context.System.Clock()</c> and <c>Context.System.LoggerFor(GetType())</c>.</summary>
internal static class MaintenanceRuntimeExtensions
{
    public static TimeProvider Clock(this ActorSystem system) => MaintenanceRuntime.For(system).Clock;

    public static ILogger LoggerFor(this ActorSystem system, Type type) => MaintenanceRuntime.For(system).Logger(type);
}
