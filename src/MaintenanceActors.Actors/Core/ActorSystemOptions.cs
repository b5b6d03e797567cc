using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace MaintenanceActors.Actors;

/// <summary>Settings of an <see cref="ActorSystem"/>; every default is written here.</summary>
public sealed class ActorSystemOptions
{
    /// <summary>Clock for timers, ask timeouts, backoff and supervision windows. Default: <see cref="TimeProvider.System"/>.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Creates the loggers of the kernel and of actors (<c>Log</c>). Default: no logging.</summary>
    public ILoggerFactory LoggerFactory { get; set; } = NullLoggerFactory.Instance;

    /// <summary>Services for <see cref="Props.FromServices{TActor}"/>. Default: none (only explicit arguments).</summary>
    public IServiceProvider? Services { get; set; }

    /// <summary>Timeout of an Ask that passes none. Default: 10 seconds.</summary>
    public TimeSpan DefaultAskTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How many user messages an actor processes before it yields its thread. Default: 50.</summary>
    public int Throughput { get; set; } = 50;

    /// <summary>How long the synchronous <see cref="ActorSystem.Dispose"/> waits for termination. Default: 30 seconds.</summary>
    public TimeSpan DisposeTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Throws naming the first invalid field and how to fix it.</summary>
    public void Validate()
    {
        if (TimeProvider is null)
        {
            throw new ArgumentException("ActorSystemOptions.TimeProvider must not be null; use TimeProvider.System.", nameof(TimeProvider));
        }

        if (LoggerFactory is null)
        {
            throw new ArgumentException("ActorSystemOptions.LoggerFactory must not be null; use NullLoggerFactory.Instance.", nameof(LoggerFactory));
        }

        if (DefaultAskTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(DefaultAskTimeout), DefaultAskTimeout,
                $"ActorSystemOptions.DefaultAskTimeout must be positive (was {DefaultAskTimeout}); e.g. 10 seconds.");
        }

        if (DisposeTimeout < TimeSpan.Zero && DisposeTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(DisposeTimeout), DisposeTimeout,
                $"ActorSystemOptions.DisposeTimeout must not be negative (was {DisposeTimeout}); use Timeout.InfiniteTimeSpan to wait forever.");
        }

        if (Throughput < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Throughput), Throughput,
                $"ActorSystemOptions.Throughput must be at least 1 (was {Throughput}); 30-100 is typical.");
        }
    }
}
