using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace MaintenanceActors.Actors.TestKit;

/// <summary>Base class for actor tests: one actor system per test, a default probe (TestActor) used as implicit sender, disposed after the test.</summary>
public abstract class TestKit : IDisposable
{
    private bool _disposed;

    static TestKit()
    {
        // Blocking Expect calls hold pool threads; more minimum threads keep actors running on small machines.
        ThreadPool.GetMinThreads(out var worker, out var io);
        ThreadPool.SetMinThreads(Math.Max(worker, 32), io);
    }

    /// <summary>Creates <see cref="Sys"/> with <paramref name="timeProvider"/> (e.g. a <see cref="ManualTimeProvider"/>) and logs to <paramref name="output"/>.</summary>
    protected TestKit(string? systemName = null, TimeProvider? timeProvider = null, ITestOutputHelper? output = null)
        : this(new ActorSystemOptions
        {
            TimeProvider = timeProvider ?? TimeProvider.System,
            LoggerFactory = output is null ? NullLoggerFactory.Instance : new XunitLoggerFactory(output, LogLevel.Debug),
        }, systemName)
    {
    }

    /// <summary>Creates <see cref="Sys"/> from explicit options.</summary>
    protected TestKit(ActorSystemOptions options, string? systemName = null)
    {
        Sys = ActorSystem.Create(systemName ?? GetType().Name, options);
        TestActor = new TestProbe(Sys, "testActor", StandardTimeout);
        Sys.ExternalDefaultSender = TestActor;
    }

    /// <summary>
    /// The wall-clock timeout of Expect calls that pass none, unless a test changes <see cref="DefaultTimeout"/>: 15 seconds.
    /// Generous on purpose: it costs nothing when the message comes, and a loaded build machine can stall a thread for seconds.
    /// </summary>
    public static readonly TimeSpan StandardTimeout = TimeSpan.FromSeconds(15);

    /// <summary>Wall-clock timeout of this test's Expect calls that pass none (TestActor and probes created afterwards).</summary>
    public TimeSpan DefaultTimeout
    {
        get => TestActor.DefaultTimeout;
        set => TestActor.DefaultTimeout = value;
    }

    /// <summary>The system under test.</summary>
    public ActorSystem Sys { get; }

    /// <summary>The default probe; <c>actor.Tell(msg)</c> from test code uses it as sender.</summary>
    public TestProbe TestActor { get; }

    /// <summary>The sender of the last message TestActor took.</summary>
    public IActorRef LastSender => TestActor.LastSender;

    private int _probeCount;

    /// <summary>Creates another probe.</summary>
    public TestProbe CreateTestProbe(string? name = null)
        => new(Sys, name ?? $"testProbe-{Interlocked.Increment(ref _probeCount)}", DefaultTimeout);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(Predicate{T}?, TimeSpan?)"/>
    public T ExpectMsg<T>(Predicate<T>? predicate = null, TimeSpan? timeout = null) => TestActor.ExpectMsg(predicate, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsg{T}(T, TimeSpan?)"/>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
        => TestActor.ExpectMsg(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsgAsync{T}(Predicate{T}?, TimeSpan?)"/>
    public Task<T> ExpectMsgAsync<T>(Predicate<T>? predicate = null, TimeSpan? timeout = null) => TestActor.ExpectMsgAsync(predicate, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsgAsync{T}(T, TimeSpan?)"/>
    public Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
        => TestActor.ExpectMsgAsync(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectMsgAllOfAsync{T}"/>
    public Task<IReadOnlyList<T>> ExpectMsgAllOfAsync<T>(IEnumerable<T> expected, TimeSpan? timeout = null) => TestActor.ExpectMsgAllOfAsync(expected, timeout);

    /// <inheritdoc cref="TestProbe.ExpectNoMsg"/>
    public void ExpectNoMsg(TimeSpan duration) => TestActor.ExpectNoMsg(duration);

    /// <inheritdoc cref="TestProbe.ExpectNoMsgAsync"/>
    public Task ExpectNoMsgAsync(TimeSpan duration) => TestActor.ExpectNoMsgAsync(duration);

    /// <inheritdoc cref="TestProbe.ExpectTerminated"/>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null) => TestActor.ExpectTerminated(target, timeout);

    /// <inheritdoc cref="TestProbe.ExpectTerminatedAsync"/>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan? timeout = null) => TestActor.ExpectTerminatedAsync(target, timeout);

    /// <inheritdoc cref="TestProbe.FishForMessage{T}"/>
    public T FishForMessage<T>(Predicate<T> isTheOne, TimeSpan? timeout = null) => TestActor.FishForMessage(isTheOne, timeout);

    /// <inheritdoc cref="TestProbe.ReceiveOne"/>
    public object ReceiveOne(TimeSpan? timeout = null) => TestActor.ReceiveOne(timeout);

    /// <inheritdoc cref="TestProbe.Watch"/>
    public void Watch(IActorRef target) => TestActor.Watch(target);

    /// <summary>Polls <paramref name="condition"/> until it holds or the wall-clock <paramref name="timeout"/> (default <see cref="DefaultTimeout"/>) passes.</summary>
    public async Task AwaitConditionAsync(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var wait = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + wait;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TestKitAssertionException($"Condition not met within {wait}{(because is null ? "." : ": " + because)}");
            }

            await Task.Delay(10).ConfigureAwait(false);
        }
    }

    /// <summary>Retries <paramref name="assertion"/> until it stops throwing or the wall-clock <paramref name="timeout"/> passes (then rethrows).</summary>
    public async Task AwaitAssertAsync(Action assertion, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(assertion);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            try
            {
                assertion();
                return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(10).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Blocking form of <see cref="AwaitConditionAsync"/>.</summary>
    public void AwaitCondition(Func<bool> condition, TimeSpan? timeout = null, string? because = null)
        => AwaitConditionAsync(condition, timeout, because).GetAwaiter().GetResult();

    /// <summary>Terminates the system (waiting up to 10 s).</summary>
    public void Dispose()
    {
        Dispose(true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Terminates the system; override to dispose more, calling the base.</summary>
    protected virtual void Dispose(bool disposing)
    {
        if (_disposed || !disposing)
        {
            return;
        }

        _disposed = true;
        Sys.Terminate().Wait(TimeSpan.FromSeconds(10));
    }
}
