using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MaintenanceActors.Actors.TestKit;

/// <summary>Writes log entries (with the actor path scope) to a test's output.</summary>
internal sealed class XunitLoggerFactory(ITestOutputHelper output, LogLevel minimum) : ILoggerFactory
{
    public void AddProvider(ILoggerProvider provider)
    {
    }

    public ILogger CreateLogger(string categoryName) => new XunitLogger(output, categoryName, minimum);

    public void Dispose()
    {
    }

    private sealed class XunitLogger(ITestOutputHelper output, string category, LogLevel minimum) : ILogger
    {
        [ThreadStatic]
        private static string? t_scope;

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull
        {
            var previous = t_scope;
            t_scope = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : state.ToString();
            return new Restore(previous);
        }

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var line = $"[{logLevel}] {category}{(t_scope is null ? string.Empty : " [" + t_scope + "]")}: {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}";
            try
            {
                output.WriteLine(line);
            }
            catch (InvalidOperationException)
            {
                // The test already finished; late log lines of a terminating system are dropped.
            }
        }

        private sealed class Restore(string? previous) : IDisposable
        {
            public void Dispose() => t_scope = previous;
        }
    }
}
