using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors.Logging;

/// <summary>Wraps a logger so that every entry carries the actor's path in its scope.</summary>
internal sealed class ActorScopedLogger(ILogger inner, string actorPath) : ILogger
{
    private readonly KeyValuePair<string, object?>[] _scope = [new("ActorPath", actorPath)];

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull
        => inner.BeginScope(state);

    public bool IsEnabled(LogLevel logLevel) => inner.IsEnabled(logLevel);

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        if (!inner.IsEnabled(logLevel))
        {
            return;
        }

        using (inner.BeginScope(_scope))
        {
            inner.Log(logLevel, eventId, state, exception, formatter);
        }
    }
}
