using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace MaintenanceActors.Actors.Tests.Logging;

public sealed class LoggingSpec
{
    [Fact]
    public async Task Must_log_a_crashing_handler_with_the_actor_path_and_the_exception()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = ActorSystem.Create("logged", new ActorSystemOptions { LoggerFactory = logs });
        var actor = system.ActorOf(Props.Create(() => new Crasher()), "crasher");

        actor.Tell("boom", ActorRefs.NoSender);
        var reply = await actor.Ask<string>("alive?", TimeSpan.FromSeconds(10));

        reply.Should().Be("yes");
        var entry = logs.Entries.Should().ContainSingle(e => e.Level == LogLevel.Error).Which;
        entry.Values.Should().Contain(new KeyValuePair<string, object?>("ActorPath", "/user/crasher"));
        entry.Exception.Should().BeOfType<InvalidOperationException>().Which.Message.Should().Be("user code failed");
    }

    [Fact]
    public async Task Must_give_actors_a_logger_named_after_their_class_with_the_path_in_scope()
    {
        var logs = new CapturingLoggerFactory();
        await using var system = ActorSystem.Create("logged", new ActorSystemOptions { LoggerFactory = logs });
        var actor = system.ActorOf(Props.Create(() => new Crasher()), "talker");

        await actor.Ask<string>("alive?", TimeSpan.FromSeconds(10));

        var entry = logs.Entries.Should().ContainSingle(e => e.Message.StartsWith("asked", StringComparison.Ordinal)).Which;
        entry.Category.Should().EndWith("LoggingSpec.Crasher");
        entry.Scope.Should().Contain(new KeyValuePair<string, object?>("ActorPath", "/user/talker"));
    }

    private sealed class Crasher : ReceiveActor
    {
        public Crasher()
        {
            Receive<string>(_ =>
            {
                Log.LogInformation("asked {Question}", "alive?");
                Sender.Tell("yes");
            }, s => s == "alive?");
            Receive<string>(_ => throw new InvalidOperationException("user code failed"));
        }
    }

    private sealed record Entry(
        string Category,
        LogLevel Level,
        string Message,
        Exception? Exception,
        IReadOnlyList<KeyValuePair<string, object?>> Values,
        IReadOnlyList<KeyValuePair<string, object?>> Scope);

    private sealed class CapturingLoggerFactory : ILoggerFactory
    {
        public ConcurrentQueue<Entry> Entries { get; } = new();

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerFactory owner, string category) : ILogger
        {
            private readonly AsyncLocal<IReadOnlyList<KeyValuePair<string, object?>>?> _scope = new();

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull
            {
                var previous = _scope.Value;
                _scope.Value = state as IReadOnlyList<KeyValuePair<string, object?>>;
                return new Restore(() => _scope.Value = previous);
            }

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var values = state as IReadOnlyList<KeyValuePair<string, object?>> ?? [];
                owner.Entries.Enqueue(new Entry(category, logLevel, formatter(state, exception), exception, values, _scope.Value ?? []));
            }
        }

        private sealed class Restore(Action restore) : IDisposable
        {
            public void Dispose() => restore();
        }
    }
}
