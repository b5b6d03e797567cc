using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.AspNetCore.Tests.Fixtures;

/// <summary>One log line as the host wrote it, numbered on the <see cref="Timeline"/> it shares with the spec's own marks.</summary>
internal sealed record CapturedLog(long Order, string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Fields);

/// <summary>Orders what happened across threads: log lines and a spec's own marks take numbers from one counter.</summary>
internal sealed class Timeline
{
    private readonly ConcurrentQueue<(long Order, string Mark)> _marks = new();
    private long _next;

    public long Next() => Interlocked.Increment(ref _next);

    /// <summary>Notes that <paramref name="mark"/> happened now and returns its number.</summary>
    public long Mark(string mark)
    {
        var order = Next();
        _marks.Enqueue((order, mark));
        return order;
    }

    public IReadOnlyList<(long Order, string Mark)> Marks => _marks.OrderBy(m => m.Order).ToArray();
}

/// <summary>
/// A logger provider for a test host: keeps every line (with its structured fields) and lets a spec wait for a line
/// instead of sleeping. Add it with <c>services.AddSingleton&lt;ILoggerProvider&gt;(capture)</c>.
/// </summary>
internal sealed class LogCapture(Timeline timeline) : ILoggerProvider
{
    private readonly Lock _sync = new();
    private readonly List<CapturedLog> _lines = new();
    private readonly List<(Func<CapturedLog, bool> Match, TaskCompletionSource<CapturedLog> Found)> _waiters = new();

    public IReadOnlyList<CapturedLog> Lines
    {
        get
        {
            lock (_sync)
            {
                return _lines.ToArray();
            }
        }
    }

    /// <summary>The first line that matches, already written or still to come.</summary>
    public Task<CapturedLog> WaitForAsync(Func<CapturedLog, bool> match)
    {
        lock (_sync)
        {
            if (_lines.FirstOrDefault(match) is { } line)
            {
                return Task.FromResult(line);
            }

            var found = new TaskCompletionSource<CapturedLog>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiters.Add((match, found));
            return found.Task;
        }
    }

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(string category, LogLevel level, string message, IReadOnlyDictionary<string, object?> fields)
    {
        lock (_sync)
        {
            var line = new CapturedLog(timeline.Next(), category, level, message, fields);
            _lines.Add(line);
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(line))
                {
                    _waiters[i].Found.TrySetResult(line);
                    _waiters.RemoveAt(i);
                }
            }
        }
    }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (!IsEnabled(logLevel))
            {
                return;
            }

            var fields = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? pairs.GroupBy(p => p.Key).ToDictionary(g => g.Key, g => g.Last().Value)
                : new Dictionary<string, object?>();
            capture.Add(category, logLevel, formatter(state, exception), fields);
        }
    }
}
