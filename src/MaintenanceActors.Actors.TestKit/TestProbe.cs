using System.Collections.Concurrent;
using MaintenanceActors.Actors.Dispatch;

namespace MaintenanceActors.Actors.TestKit;

/// <summary>A real actor reference that queues what it receives so a test can expect messages (waiting on wall-clock time).</summary>
public sealed class TestProbe : IActorRef, ISystemBoundRef
{
    private readonly ConcurrentQueue<Received> _queue = new();
    private readonly SemaphoreSlim _available = new(0);
    private object? _lastMessage;

    internal TestProbe(ActorSystem system, string name, TimeSpan defaultTimeout)
    {
        System = system;
        DefaultTimeout = defaultTimeout;
        Path = ActorPath.Root("system").Child(name);
    }

    /// <inheritdoc />
    public ActorPath Path { get; }

    /// <summary>The probe itself as a reference (Akka's <c>probe.Ref</c>).</summary>
    public IActorRef Ref => this;

    /// <summary>The sender of the last message taken by an Expect/Receive call.</summary>
    public IActorRef LastSender { get; private set; } = ActorRefs.NoSender;

    /// <summary>Wall-clock timeout used when an Expect call passes none.</summary>
    public TimeSpan DefaultTimeout { get; set; }

    /// <summary>True when a received message has not been taken yet.</summary>
    public bool HasMessages => !_queue.IsEmpty;

    /// <summary>The system this probe belongs to.</summary>
    public ActorSystem System { get; }

    /// <inheritdoc />
    public void Tell(object message, IActorRef? sender)
    {
        ArgumentNullException.ThrowIfNull(message);
        _queue.Enqueue(new Received(message, sender ?? ActorRefs.NoSender));
        _available.Release();
    }

    /// <summary>Takes the next message; throws when it is not a <typeparamref name="T"/> matching <paramref name="predicate"/> or none comes in time.</summary>
    public T ExpectMsg<T>(Predicate<T>? predicate = null, TimeSpan? timeout = null)
        => Check(Take(timeout, typeof(T).Name), predicate);

    /// <summary>Takes the next message and checks it equals <paramref name="expected"/>.</summary>
    public T ExpectMsg<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
        => Check<T>(Take(timeout, typeof(T).Name), m => Equals(m, expected), $" equal to {expected}");

    /// <summary>Async form of <see cref="ExpectMsg{T}(Predicate{T}?, TimeSpan?)"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(Predicate<T>? predicate = null, TimeSpan? timeout = null)
        => Check(await TakeAsync(timeout, typeof(T).Name).ConfigureAwait(false), predicate);

    /// <summary>Async form of <see cref="ExpectMsg{T}(T, TimeSpan?)"/>.</summary>
    public async Task<T> ExpectMsgAsync<T>(T expected, TimeSpan? timeout = null)
        where T : notnull
        => Check<T>(await TakeAsync(timeout, typeof(T).Name).ConfigureAwait(false), m => Equals(m, expected), $" equal to {expected}");

    /// <summary>Takes as many messages as <paramref name="expected"/> holds and checks they are the same, in any order.</summary>
    public async Task<IReadOnlyList<T>> ExpectMsgAllOfAsync<T>(IEnumerable<T> expected, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(expected);
        var missing = expected.ToList();
        var received = new List<T>(missing.Count);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (missing.Count > 0)
        {
            var left = deadline - DateTime.UtcNow;
            var message = Check<T>(await TakeAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, typeof(T).Name).ConfigureAwait(false), null);
            var index = missing.FindIndex(m => Equals(m, message));
            if (index < 0)
            {
                throw new TestKitAssertionException($"{Path}: got unexpected {Describe(message!)}; still expecting {string.Join(", ", missing)}.");
            }

            missing.RemoveAt(index);
            received.Add(message);
        }

        return received;
    }

    /// <summary>Fails if any message arrives within <paramref name="duration"/>.</summary>
    public void ExpectNoMsg(TimeSpan duration)
    {
        if (_available.Wait(duration))
        {
            var received = Dequeue();
            throw new TestKitAssertionException($"{Path}: expected no message for {duration} but got {Describe(received.Message)} from {received.Sender.Path}.");
        }
    }

    /// <summary>Async form of <see cref="ExpectNoMsg"/>.</summary>
    public async Task ExpectNoMsgAsync(TimeSpan duration)
    {
        if (await _available.WaitAsync(duration).ConfigureAwait(false))
        {
            var received = Dequeue();
            throw new TestKitAssertionException($"{Path}: expected no message for {duration} but got {Describe(received.Message)} from {received.Sender.Path}.");
        }
    }

    /// <summary>Expects the <see cref="Terminated"/> of <paramref name="target"/> (watch it first).</summary>
    public Terminated ExpectTerminated(IActorRef target, TimeSpan? timeout = null)
        => ExpectMsg<Terminated>(t => t.ActorRef.Equals(target), timeout);

    /// <summary>Async form of <see cref="ExpectTerminated"/>.</summary>
    public Task<Terminated> ExpectTerminatedAsync(IActorRef target, TimeSpan? timeout = null)
        => ExpectMsgAsync<Terminated>(t => t.ActorRef.Equals(target), timeout);

    /// <summary>Skips messages until one is a <typeparamref name="T"/> matching <paramref name="isTheOne"/>.</summary>
    public T FishForMessage<T>(Predicate<T> isTheOne, TimeSpan? timeout = null)
        => FishForMessageAsync(isTheOne, timeout).GetAwaiter().GetResult();

    /// <summary>Async form of <see cref="FishForMessage{T}"/>.</summary>
    public async Task<T> FishForMessageAsync<T>(Predicate<T> isTheOne, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(isTheOne);
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            var left = deadline - DateTime.UtcNow;
            var received = await TakeAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, typeof(T).Name).ConfigureAwait(false);
            if (received.Message is T typed && isTheOne(typed))
            {
                return typed;
            }
        }
    }

    /// <summary>Takes the next message of any type.</summary>
    public object ReceiveOne(TimeSpan? timeout = null) => Take(timeout, "any type").Message;

    /// <summary>Async form of <see cref="ReceiveOne"/>.</summary>
    public async Task<object> ReceiveOneAsync(TimeSpan? timeout = null) => (await TakeAsync(timeout, "any type").ConfigureAwait(false)).Message;

    /// <summary>Takes the next <paramref name="count"/> messages.</summary>
    public IReadOnlyList<object> ReceiveN(int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        var result = new List<object>(count);
        for (var i = 0; i < count; i++)
        {
            var left = deadline - DateTime.UtcNow;
            result.Add(Take(left > TimeSpan.Zero ? left : TimeSpan.Zero, $"message {i + 1} of {count}").Message);
        }

        return result;
    }

    /// <summary>Replies to <see cref="LastSender"/> with the probe as sender.</summary>
    public void Reply(object message) => LastSender.Tell(message, this);

    /// <summary>Sends the last taken message to <paramref name="target"/>, keeping its original sender.</summary>
    public void Forward(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(_lastMessage ?? throw new InvalidOperationException($"{Path}: nothing received yet to forward."), LastSender);
    }

    /// <summary>Sends <paramref name="message"/> to <paramref name="target"/> with this probe as sender.</summary>
    public void Send(IActorRef target, object message)
    {
        ArgumentNullException.ThrowIfNull(target);
        target.Tell(message, this);
    }

    /// <summary>Makes the probe receive <see cref="Terminated"/> when <paramref name="target"/> stops.</summary>
    public void Watch(IActorRef target)
    {
        ArgumentNullException.ThrowIfNull(target);
        ActorCell.WatchFrom(target, this);
    }

    /// <inheritdoc />
    public bool Equals(IActorRef? other) => ReferenceEquals(this, other);

    /// <inheritdoc />
    public override bool Equals(object? obj) => ReferenceEquals(this, obj);

    /// <inheritdoc />
    public override int GetHashCode() => Path.GetHashCode();

    /// <inheritdoc />
    public override string ToString() => Path.ToString();

    private static string Describe(object message) => $"{message.GetType().Name} ({message})";

    private Received Take(TimeSpan? timeout, string what)
    {
        var wait = timeout ?? DefaultTimeout;
        if (!_available.Wait(wait))
        {
            throw new TestKitAssertionException($"{Path}: timeout ({wait}) while waiting for a message of {what}.");
        }

        return Remember(Dequeue());
    }

    private async Task<Received> TakeAsync(TimeSpan? timeout, string what)
    {
        var wait = timeout ?? DefaultTimeout;
        if (!await _available.WaitAsync(wait).ConfigureAwait(false))
        {
            throw new TestKitAssertionException($"{Path}: timeout ({wait}) while waiting for a message of {what}.");
        }

        return Remember(Dequeue());
    }

    private Received Dequeue()
    {
        // The semaphore count equals the queue length, so an acquired permit always finds an item.
        _queue.TryDequeue(out var received);
        return received;
    }

    private Received Remember(Received received)
    {
        LastSender = received.Sender;
        _lastMessage = received.Message;
        return received;
    }

    private T Check<T>(Received received, Predicate<T>? predicate, string? expectation = null)
    {
        if (received.Message is T typed && (predicate is null || predicate(typed)))
        {
            return typed;
        }

        var condition = expectation ?? (predicate is null ? string.Empty : " matching the predicate");
        throw new TestKitAssertionException(
            $"{Path}: expected a message of type {typeof(T).Name}{condition} but got {Describe(received.Message)} from {received.Sender.Path}.");
    }

    private readonly record struct Received(object Message, IActorRef Sender);
}
