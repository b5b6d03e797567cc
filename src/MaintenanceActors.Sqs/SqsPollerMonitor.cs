using System.Collections.Concurrent;

namespace MaintenanceActors.Sqs;

/// <summary>Reads what each registered SQS poller has done (for a stats endpoint), without asking the actor.</summary>
public sealed class SqsPollerMonitor
{
    private readonly ConcurrentDictionary<string, SqsPollerState> _pollers = new(StringComparer.Ordinal);

    /// <summary>The names of the registered pollers.</summary>
    public IReadOnlyCollection<string> Resources => _pollers.Keys.ToArray();

    /// <summary>The stats of the poller named <paramref name="resource"/>, or null if there is none.</summary>
    public SqsPollerStatsSnapshot? Get(string resource = "sqs") =>
        _pollers.TryGetValue(resource, out var state) ? state.Snapshot(resource) : null;

    internal void Add(string resource, SqsPollerState state) => _pollers[resource] = state;
}

/// <summary>
/// What outlives one incarnation of a poller actor: counters, the intake count and the queue's last known problem. Kept
/// outside the actor so a restarted actor keeps counting the rounds its predecessor started.
/// </summary>
internal sealed class SqsPollerState(TimeProvider time)
{
    private volatile string? _queueProblem;
    private long _probedAtTicks;

    public SqsPollerStats Stats { get; } = new(time);

    public SqsIntake Intake { get; } = new();

    public string? QueueProblem
    {
        get => _queueProblem;
        set => _queueProblem = value;
    }

    public DateTimeOffset? ProbedAt
    {
        get => Interlocked.Read(ref _probedAtTicks) is var ticks and > 0 ? new DateTimeOffset(ticks, TimeSpan.Zero) : null;
        set => Interlocked.Exchange(ref _probedAtTicks, value?.UtcTicks ?? 0);
    }

    public SqsPollerStatsSnapshot Snapshot(string resource) => new(
        resource, Stats.Received, Stats.Processed, Stats.Failed, Stats.Released, Intake.InFlight, Stats.VisibilityExtensions,
        Stats.ReceiveErrors, Stats.ReceivesWaiting, Stats.LastMessageAt, ProbedAt, Stats.LastErrors, QueueProblem);
}
