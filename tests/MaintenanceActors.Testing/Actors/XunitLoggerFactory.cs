using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace MaintenanceActors.Testing;

/// <summary>Writes the maintenance actors' structured logs to a test's output, so a failing spec shows what the actors said.</summary>
public sealed class XunitLoggerFactory(ITestOutputHelper output, LogLevel minimum = LogLevel.Debug) : ILoggerFactory
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
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= minimum;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }
            try
            {
                output.WriteLine($"[{logLevel}] {category}: {formatter(state, exception)}{(exception is null ? string.Empty : Environment.NewLine + exception)}");
            }
            catch (InvalidOperationException)
            {
                // The test already finished; late lines of a terminating system are dropped.
            }
        }
    }
}
