using System.Threading.Tasks.Sources;

namespace MaintenanceActors.Benchmarks.Akka;

/// <summary>
/// A one-slot, reusable hand-off of an <see cref="int"/> from one party to the other: the least a thread-pool
/// hand-off can cost (no queue, no allocation; the waiter's continuation runs inline on the writer's thread).
/// Strictly alternating use only: one value is written, then read, before the next is written.
/// </summary>
internal sealed class RawHandoff : IValueTaskSource<int>
{
    private ManualResetValueTaskSourceCore<int> _core; // RunContinuationsAsynchronously = false: inline continuations

    public void Write(int value) => _core.SetResult(value);

    public ValueTask<int> ReadAsync() => new(this, _core.Version);

    public int GetResult(short token)
    {
        var value = _core.GetResult(token);
        _core.Reset(); // the slot is free for the next write once its value was read
        return value;
    }

    public ValueTaskSourceStatus GetStatus(short token) => _core.GetStatus(token);

    public void OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
